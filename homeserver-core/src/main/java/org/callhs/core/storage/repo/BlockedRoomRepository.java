package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.BLOCKED_ROOMS;

import java.util.Map;
import org.jooq.DSLContext;

/** {@code blocked_rooms}: rooms no local user may join, and the admin who blocked each. */
public final class BlockedRoomRepository {
    public void block(DSLContext tx, String roomId, String userId) {
        tx.insertInto(BLOCKED_ROOMS).set(BLOCKED_ROOMS.ROOM_ID, roomId).set(BLOCKED_ROOMS.USER_ID, userId)
                .onConflict(BLOCKED_ROOMS.ROOM_ID).doNothing().execute();
    }

    public void unblock(DSLContext tx, String roomId) {
        tx.deleteFrom(BLOCKED_ROOMS).where(BLOCKED_ROOMS.ROOM_ID.eq(roomId)).execute();
    }

    /** Every blocked room and who blocked it. */
    public Map<String, String> all(DSLContext dsl) {
        return dsl.select(BLOCKED_ROOMS.ROOM_ID, BLOCKED_ROOMS.USER_ID).from(BLOCKED_ROOMS).fetchMap(BLOCKED_ROOMS.ROOM_ID, BLOCKED_ROOMS.USER_ID);
    }
}
