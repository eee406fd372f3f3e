package org.callhs.core.room;

import org.callhs.core.spi.EventListener;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a user of this server joins a room that replaced another through an upgrade, carries
 * their per-room settings over from the old room (as Synapse does): their push rules about it
 * and its tags. Runs for the upgrader (who joins the new room as it is made) and for everyone
 * who follows later. Copying is idempotent, so every instance of a cluster may do it.
 */
public final class UpgradeCarryOver implements EventListener {
    private static final Logger log = LoggerFactory.getLogger(UpgradeCarryOver.class);

    /** Copies a user's settings from one room to the room that replaced it. */
    @FunctionalInterface
    public interface Copier {
        void copy(String userId, String oldRoomId, String newRoomId);
    }

    private final String serverName;
    private final RoomReader reader;
    private final Copier copier;

    public UpgradeCarryOver(String serverName, RoomReader reader, Copier copier) {
        this.serverName = serverName;
        this.reader = reader;
        this.copier = copier;
    }

    @Override
    public void onEvent(PersistedEvent event) {
        if (!event.type().equals("m.room.member") || event.stateKey() == null) return;
        String userId = event.stateKey();
        if (!MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(serverName)) return;
        if (!"join".equals(event.pdu().path("content").path("membership").asText())) return;
        if (event.replacesState() != null && reader.event(event.replacesState())
                .map(previous -> "join".equals(previous.pdu().path("content").path("membership").asText())).orElse(false)) {
            return; // a profile change, not a join
        }
        try {
            reader.predecessor(event.roomId()).ifPresent(old -> copier.copy(userId, old, event.roomId()));
        } catch (RuntimeException e) {
            log.warn("could not carry {}'s settings over to upgraded room {}", userId, event.roomId(), e);
        }
    }
}
