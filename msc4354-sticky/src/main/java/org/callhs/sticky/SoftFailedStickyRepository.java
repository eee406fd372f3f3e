package org.callhs.sticky;

import static org.callhs.sticky.schema.Tables.STICKY_SOFT_FAILED;

import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;

/** Statements on {@code sticky_soft_failed}; the caller owns the transaction. */
final class SoftFailedStickyRepository {

    /** A soft-failed sticky event waiting for the room's state to change. */
    record Row(String eventId, String roomId, String sender, long expiresAt) {}

    /** A purged room's rows. */
    void deleteRoom(DSLContext tx, String roomId) {
        tx.deleteFrom(STICKY_SOFT_FAILED).where(STICKY_SOFT_FAILED.ROOM_ID.eq(roomId)).execute();
    }

    void insert(DSLContext tx, Row row) {
        tx.insertInto(STICKY_SOFT_FAILED)
                .set(STICKY_SOFT_FAILED.EVENT_ID, row.eventId())
                .set(STICKY_SOFT_FAILED.ROOM_ID, row.roomId())
                .set(STICKY_SOFT_FAILED.SENDER, row.sender())
                .set(STICKY_SOFT_FAILED.EXPIRES_AT, row.expiresAt())
                .onConflictDoNothing()
                .execute();
    }

    int delete(DSLContext tx, Collection<String> eventIds) {
        return tx.deleteFrom(STICKY_SOFT_FAILED).where(STICKY_SOFT_FAILED.EVENT_ID.in(eventIds)).execute();
    }

    int deleteExpired(DSLContext tx, long now) {
        return tx.deleteFrom(STICKY_SOFT_FAILED).where(STICKY_SOFT_FAILED.EXPIRES_AT.le(now)).execute();
    }

    /** Every row that has not expired by {@code now}: what the in-memory set starts from. */
    List<Row> unexpired(DSLContext tx, long now) {
        return tx.select(STICKY_SOFT_FAILED.EVENT_ID, STICKY_SOFT_FAILED.ROOM_ID, STICKY_SOFT_FAILED.SENDER, STICKY_SOFT_FAILED.EXPIRES_AT)
                .from(STICKY_SOFT_FAILED)
                .where(STICKY_SOFT_FAILED.EXPIRES_AT.gt(now))
                .fetch(r -> new Row(r.value1(), r.value2(), r.value3(), r.value4()));
    }
}
