package org.callhs.sticky;

import org.callhs.core.spi.RoomPurgeHook;
import org.jooq.DSLContext;

/** A purged room's sticky events go: their rows in the purge's transaction, then the in-memory index and soft-failed waits. */
final class StickyRoomPurge implements RoomPurgeHook {
    private final StickyEventRepository stickies;
    private final SoftFailedStickyRepository softFailedRows;
    private final StickyIndex index;
    private final SoftFailedStickies softFailed;

    StickyRoomPurge(StickyEventRepository stickies, SoftFailedStickyRepository softFailedRows, StickyIndex index,
                    SoftFailedStickies softFailed) {
        this.stickies = stickies;
        this.softFailedRows = softFailedRows;
        this.index = index;
        this.softFailed = softFailed;
    }

    @Override
    public void purge(DSLContext tx, String roomId) {
        stickies.deleteRoom(tx, roomId);
        softFailedRows.deleteRoom(tx, roomId);
    }

    @Override
    public void purged(String roomId) {
        index.forgetRoom(roomId);
        softFailed.forgetRoom(roomId);
    }
}
