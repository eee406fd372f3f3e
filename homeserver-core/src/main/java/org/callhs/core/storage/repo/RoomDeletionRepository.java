package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.ROOM_DELETIONS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.RoomDeletionsRecord;
import org.jooq.DSLContext;

/** {@code room_deletions}: the admin API's background room deletions and their progress. */
public final class RoomDeletionRepository {
    public void insert(DSLContext tx, String deleteId, String roomId, String instance, String params, long now) {
        tx.insertInto(ROOM_DELETIONS).set(ROOM_DELETIONS.DELETE_ID, deleteId).set(ROOM_DELETIONS.ROOM_ID, roomId)
                .set(ROOM_DELETIONS.INSTANCE, instance)
                .set(ROOM_DELETIONS.STATUS, "scheduled").set(ROOM_DELETIONS.PARAMS, params)
                .set(ROOM_DELETIONS.CREATED_TS, now).set(ROOM_DELETIONS.UPDATED_TS, now).execute();
    }

    public void update(DSLContext tx, String deleteId, String status, String result, String error, long now) {
        tx.update(ROOM_DELETIONS).set(ROOM_DELETIONS.STATUS, status).set(ROOM_DELETIONS.RESULT, result)
                .set(ROOM_DELETIONS.ERROR, error).set(ROOM_DELETIONS.UPDATED_TS, now)
                .where(ROOM_DELETIONS.DELETE_ID.eq(deleteId)).execute();
    }

    public Optional<RoomDeletionsRecord> find(DSLContext dsl, String deleteId) {
        return dsl.selectFrom(ROOM_DELETIONS).where(ROOM_DELETIONS.DELETE_ID.eq(deleteId)).fetchOptional();
    }

    /** The room's deletions, oldest first. */
    public List<RoomDeletionsRecord> ofRoom(DSLContext dsl, String roomId) {
        return dsl.selectFrom(ROOM_DELETIONS).where(ROOM_DELETIONS.ROOM_ID.eq(roomId))
                .orderBy(ROOM_DELETIONS.CREATED_TS, ROOM_DELETIONS.DELETE_ID).fetch();
    }

    /** One instance's deletions in these statuses, oldest first. */
    public List<RoomDeletionsRecord> withStatus(DSLContext dsl, String instance, Collection<String> statuses) {
        return dsl.selectFrom(ROOM_DELETIONS).where(ROOM_DELETIONS.STATUS.in(statuses), ROOM_DELETIONS.INSTANCE.eq(instance))
                .orderBy(ROOM_DELETIONS.CREATED_TS, ROOM_DELETIONS.DELETE_ID).fetch();
    }

    /** Deletes finished deletions last changed before {@code before}. */
    public int deleteFinishedBefore(DSLContext tx, long before) {
        return tx.deleteFrom(ROOM_DELETIONS).where(ROOM_DELETIONS.STATUS.in("complete", "failed"))
                .and(ROOM_DELETIONS.UPDATED_TS.lt(before)).execute();
    }
}
