package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;
import org.jooq.DSLContext;

/**
 * Hears, inside the transaction that writes it, the join that makes a server resident in a room:
 * the first of its users to be joined in the state before the event (a server that left and
 * comes back counts again). This server's own joins are reported too. MSC4354 pushes a module's
 * events to such a server this way, queued ({@link ServerOutbox}) ahead of what follows the join.
 * Called under the room lock: keep it short. An exception aborts the write.
 */
@FunctionalInterface
public interface ServerJoinListener {
    void serverJoined(DSLContext tx, String roomId, String server, PersistedEvent join);
}
