package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.CURRENT_STATE;

import java.util.List;
import org.callhs.core.storage.schema.tables.records.CurrentStateRecord;
import org.jooq.DSLContext;

/** Statements on {@code current_state}. */
public final class CurrentStateRepository {
    public void put(DSLContext tx, String roomId, String type, String stateKey, String eventId, String membership) {
        tx.insertInto(CURRENT_STATE)
                .set(CURRENT_STATE.ROOM_ID, roomId).set(CURRENT_STATE.EVENT_TYPE, type).set(CURRENT_STATE.STATE_KEY, stateKey)
                .set(CURRENT_STATE.EVENT_ID, eventId).set(CURRENT_STATE.MEMBERSHIP, membership)
                .onConflict(CURRENT_STATE.ROOM_ID, CURRENT_STATE.EVENT_TYPE, CURRENT_STATE.STATE_KEY).doUpdate()
                .set(CURRENT_STATE.EVENT_ID, eventId).set(CURRENT_STATE.MEMBERSHIP, membership)
                .execute();
    }

    public List<CurrentStateRecord> room(DSLContext tx, String roomId) {
        return tx.selectFrom(CURRENT_STATE).where(CURRENT_STATE.ROOM_ID.eq(roomId)).fetch();
    }

    /** Rooms where the user's current membership is {@code membership}. */
    public List<String> roomsWithMembership(DSLContext tx, String userId, String membership) {
        return tx.select(CURRENT_STATE.ROOM_ID).from(CURRENT_STATE)
                .where(CURRENT_STATE.STATE_KEY.eq(userId), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"),
                        CURRENT_STATE.MEMBERSHIP.eq(membership))
                .fetch(CURRENT_STATE.ROOM_ID);
    }
}
