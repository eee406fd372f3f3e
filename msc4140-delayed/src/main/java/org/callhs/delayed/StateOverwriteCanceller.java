package org.callhs.delayed;

import java.time.Clock;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.EventListener;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a user's state event changes (room, type, state key), other users' pending delayed state
 * events for that key are cancelled, as Synapse does; the sender's own are kept (a client that
 * rewrites its own call membership keeps its delayed leave). Delayed message events are never
 * cancelled this way. An indexed existence check comes first, so state events nobody has
 * delayed cost no write.
 */
final class StateOverwriteCanceller implements EventListener {
    private static final Logger log = LoggerFactory.getLogger(StateOverwriteCanceller.class);
    private final Database database;
    private final DelayedEventRepository repository;
    private final Clock clock;

    StateOverwriteCanceller(Database database, DelayedEventRepository repository, Clock clock) {
        this.database = database;
        this.repository = repository;
        this.clock = clock;
    }

    @Override
    public void onEvent(PersistedEvent event) {
        if (!event.isState()) return;
        String roomId = event.roomId();
        String type = event.type();
        String stateKey = event.stateKey();
        String sender = event.sender();
        if (!repository.othersScheduledFor(database.dsl(), roomId, type, stateKey, sender)) return;
        int cancelled = database.transaction(tx -> repository.cancelOverwritten(tx, roomId, type, stateKey, sender, clock.millis()));
        if (cancelled > 0) {
            log.atDebug().setMessage("delayed state cancelled by another user's state").addKeyValue("room_id", roomId)
                    .addKeyValue("type", type).addKeyValue("count", cancelled).log();
        }
    }
}
