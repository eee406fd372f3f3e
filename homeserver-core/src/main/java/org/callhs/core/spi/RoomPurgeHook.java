package org.callhs.core.spi;

import org.jooq.DSLContext;

/**
 * A module's part of purging a room from this server (the admin API's room deletion with
 * {@code purge}): its rows keyed by the room go in the purge's transaction, with core's, so a
 * room is either entirely there or entirely gone; its in-memory state of the room goes after the
 * commit, on every instance of a cluster.
 */
public interface RoomPurgeHook {
    /** Deletes the module's rows for {@code roomId}; called under the room's lock, in the purge's transaction. */
    void purge(DSLContext tx, String roomId);

    /** Forgets what the module holds in memory about {@code roomId}; called after the purge committed. */
    default void purged(String roomId) {}
}
