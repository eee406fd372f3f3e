package org.callhs.sticky;

import static org.callhs.sticky.schema.Tables.STICKY_EVENTS;

import java.util.List;
import org.jooq.DSLContext;

/** Statements on {@code sticky_events}; the caller owns the transaction. */
final class StickyEventRepository {

    /** A still-sticky event as the sticky stream sees it. */
    record Row(long position, String eventId, String roomId, String sender, long expiresAt) {}

    /** A purged room's rows. */
    void deleteRoom(DSLContext tx, String roomId) {
        tx.deleteFrom(STICKY_EVENTS).where(STICKY_EVENTS.ROOM_ID.eq(roomId)).execute();
    }

    void insert(DSLContext tx, Row row) {
        tx.insertInto(STICKY_EVENTS)
                .set(STICKY_EVENTS.STREAM_ORDERING, row.position())
                .set(STICKY_EVENTS.EVENT_ID, row.eventId())
                .set(STICKY_EVENTS.ROOM_ID, row.roomId())
                .set(STICKY_EVENTS.SENDER, row.sender())
                .set(STICKY_EVENTS.EXPIRES_AT, row.expiresAt())
                .execute();
    }

    /** A redacted event is no longer sticky. */
    int deleteEvent(DSLContext tx, String eventId) {
        return tx.deleteFrom(STICKY_EVENTS).where(STICKY_EVENTS.EVENT_ID.eq(eventId)).execute();
    }

    int deleteExpired(DSLContext tx, long now) {
        return tx.deleteFrom(STICKY_EVENTS).where(STICKY_EVENTS.EXPIRES_AT.le(now)).execute();
    }

    /** The row of one event, if it is (still) recorded. */
    java.util.Optional<Row> find(DSLContext dsl, String eventId) {
        return dsl.select(STICKY_EVENTS.STREAM_ORDERING, STICKY_EVENTS.EVENT_ID, STICKY_EVENTS.ROOM_ID, STICKY_EVENTS.SENDER,
                        STICKY_EVENTS.EXPIRES_AT)
                .from(STICKY_EVENTS)
                .where(STICKY_EVENTS.EVENT_ID.eq(eventId))
                .fetchOptional(r -> new Row(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    }

    long maxPosition(DSLContext tx) {
        Long max = tx.select(org.jooq.impl.DSL.max(STICKY_EVENTS.STREAM_ORDERING)).from(STICKY_EVENTS).fetchOne(0, Long.class);
        return max == null ? 0 : max;
    }

    /** Every row that has not expired by {@code now}, in stream order: what the in-memory index starts from. */
    List<Row> unexpired(DSLContext tx, long now) {
        return tx.select(STICKY_EVENTS.STREAM_ORDERING, STICKY_EVENTS.EVENT_ID, STICKY_EVENTS.ROOM_ID, STICKY_EVENTS.SENDER,
                        STICKY_EVENTS.EXPIRES_AT)
                .from(STICKY_EVENTS)
                .where(STICKY_EVENTS.EXPIRES_AT.gt(now))
                .orderBy(STICKY_EVENTS.STREAM_ORDERING)
                .fetch(r -> new Row(r.value1(), r.value2(), r.value3(), r.value4(), r.value5()));
    }
}
