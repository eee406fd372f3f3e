package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ROOMS;

import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.jooq.DSLContext;

/** Statements on {@code rooms}. */
public final class RoomRepository {
    public void insert(DSLContext tx, String roomId, String version, String creator, boolean isPublic, long now,
                       long depth, long stateGroup) {
        tx.insertInto(ROOMS)
                .set(ROOMS.ROOM_ID, roomId).set(ROOMS.ROOM_VERSION, version).set(ROOMS.CREATOR, creator)
                .set(ROOMS.IS_PUBLIC, isPublic).set(ROOMS.CREATED_TS, now)
                .set(ROOMS.MAX_DEPTH, depth).set(ROOMS.STATE_GROUP, stateGroup)
                .execute();
    }

    /** Records the depth of the join that made this server resident through another server: events below it are history. */
    public void setJoinedDepth(DSLContext tx, String roomId, long depth) {
        tx.update(ROOMS).set(ROOMS.JOINED_DEPTH, depth).where(ROOMS.ROOM_ID.eq(roomId)).execute();
    }

    /** Marks a room as a stub (known only through an invite) or as a room this server takes part in. */
    public void setStub(DSLContext tx, String roomId, boolean stub) {
        tx.update(ROOMS).set(ROOMS.IS_STUB, stub).where(ROOMS.ROOM_ID.eq(roomId)).execute();
    }

    /** Replaces the room's current state group and greatest depth (a join replacing what this server knew). */
    public void reset(DSLContext tx, String roomId, long depth, long stateGroup) {
        tx.update(ROOMS).set(ROOMS.MAX_DEPTH, depth).set(ROOMS.STATE_GROUP, stateGroup).where(ROOMS.ROOM_ID.eq(roomId)).execute();
    }

    /**
     * The room's row, locked until the transaction ends ({@code FOR NO KEY UPDATE} on PostgreSQL)
     * so that writers of one room in several processes take turns: each reads the extremities and
     * state after the previous one's commit. Every writer takes it before its stream position, so
     * the two locks are always taken in the same order. SQLite has a single writer anyway.
     */
    public Optional<RoomsRecord> findForWrite(DSLContext tx, String roomId) {
        var select = tx.selectFrom(ROOMS).where(ROOMS.ROOM_ID.eq(roomId));
        return tx.dialect().family() == org.jooq.SQLDialect.POSTGRES ? select.forNoKeyUpdate().fetchOptional() : select.fetchOptional();
    }

    public Optional<RoomsRecord> find(DSLContext tx, String roomId) {
        return tx.selectFrom(ROOMS).where(ROOMS.ROOM_ID.eq(roomId)).fetchOptional();
    }

    /** Sets the room's current state group and raises its greatest depth to {@code depth} when that is deeper. */
    public void advance(DSLContext tx, String roomId, long depth, long stateGroup) {
        tx.update(ROOMS).set(ROOMS.MAX_DEPTH, org.jooq.impl.DSL.greatest(ROOMS.MAX_DEPTH, org.jooq.impl.DSL.val(depth)))
                .set(ROOMS.STATE_GROUP, stateGroup)
                .where(ROOMS.ROOM_ID.eq(roomId)).execute();
    }

    /** Public rooms in a stable order (creation time, then ID). */
    public java.util.List<RoomsRecord> publicRooms(DSLContext tx) {
        return tx.selectFrom(ROOMS).where(ROOMS.IS_PUBLIC.isTrue()).orderBy(ROOMS.CREATED_TS, ROOMS.ROOM_ID).fetch();
    }

    public void setPublic(DSLContext tx, String roomId, boolean isPublic) {
        tx.update(ROOMS).set(ROOMS.IS_PUBLIC, isPublic).where(ROOMS.ROOM_ID.eq(roomId)).execute();
    }
}
