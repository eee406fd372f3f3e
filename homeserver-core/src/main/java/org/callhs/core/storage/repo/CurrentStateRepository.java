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

    public void clear(DSLContext tx, String roomId) {
        tx.deleteFrom(CURRENT_STATE).where(CURRENT_STATE.ROOM_ID.eq(roomId)).execute();
    }

    public void remove(DSLContext tx, String roomId, String type, String stateKey) {
        tx.deleteFrom(CURRENT_STATE)
                .where(CURRENT_STATE.ROOM_ID.eq(roomId), CURRENT_STATE.EVENT_TYPE.eq(type), CURRENT_STATE.STATE_KEY.eq(stateKey))
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

    /** A user's membership in every room they have one in: room, membership, member event ID. */
    public List<org.jooq.Record3<String, String, String>> memberships(DSLContext dsl, String userId) {
        return dsl.select(CURRENT_STATE.ROOM_ID, CURRENT_STATE.MEMBERSHIP, CURRENT_STATE.EVENT_ID).from(CURRENT_STATE)
                .where(CURRENT_STATE.STATE_KEY.eq(userId), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"))
                .fetch();
    }

    /** Members of a room with this membership, as user IDs. */
    public List<String> members(DSLContext dsl, String roomId, String membership) {
        return dsl.select(CURRENT_STATE.STATE_KEY).from(CURRENT_STATE)
                .where(CURRENT_STATE.ROOM_ID.eq(roomId), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"),
                        CURRENT_STATE.MEMBERSHIP.eq(membership))
                .fetch(CURRENT_STATE.STATE_KEY);
    }

    /** Every user joined to at least one of the given rooms. */
    public java.util.Set<String> joinedUsers(DSLContext dsl, java.util.Collection<String> roomIds) {
        return new java.util.HashSet<>(dsl.selectDistinct(CURRENT_STATE.STATE_KEY).from(CURRENT_STATE)
                .where(CURRENT_STATE.ROOM_ID.in(roomIds), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"),
                        CURRENT_STATE.MEMBERSHIP.eq("join"))
                .fetch(CURRENT_STATE.STATE_KEY));
    }
}
