package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.FORGOTTEN_ROOMS;

import org.jooq.DSLContext;

/** Statements on {@code forgotten_rooms}. */
public final class ForgottenRoomRepository {
    public void forget(DSLContext tx, String userId, String roomId) {
        tx.insertInto(FORGOTTEN_ROOMS).set(FORGOTTEN_ROOMS.USER_ID, userId).set(FORGOTTEN_ROOMS.ROOM_ID, roomId)
                .onConflict(FORGOTTEN_ROOMS.USER_ID, FORGOTTEN_ROOMS.ROOM_ID).doNothing().execute();
    }

    public void remember(DSLContext tx, String userId, String roomId) {
        tx.deleteFrom(FORGOTTEN_ROOMS).where(FORGOTTEN_ROOMS.USER_ID.eq(userId), FORGOTTEN_ROOMS.ROOM_ID.eq(roomId)).execute();
    }

    public boolean isForgotten(DSLContext dsl, String userId, String roomId) {
        return dsl.fetchExists(FORGOTTEN_ROOMS, FORGOTTEN_ROOMS.USER_ID.eq(userId).and(FORGOTTEN_ROOMS.ROOM_ID.eq(roomId)));
    }

    public java.util.Set<String> forgotten(DSLContext dsl, String userId) {
        return new java.util.HashSet<>(dsl.select(FORGOTTEN_ROOMS.ROOM_ID).from(FORGOTTEN_ROOMS)
                .where(FORGOTTEN_ROOMS.USER_ID.eq(userId)).fetch(FORGOTTEN_ROOMS.ROOM_ID));
    }
}
