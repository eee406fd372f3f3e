package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.STREAM_POSITIONS;

import org.jooq.DSLContext;

/**
 * Stream positions (one row per durable sync stream). {@link #next} must run inside the
 * writing transaction: the UPDATE takes the row lock, so positions are handed out in commit
 * order on PostgreSQL and under the single writer on SQLite.
 */
public final class StreamPositionRepository {
    public long next(DSLContext tx, String stream) {
        // One round trip: the increment and its result (PostgreSQL and SQLite 3.35+ both return it).
        return tx.update(STREAM_POSITIONS).set(STREAM_POSITIONS.POSITION, STREAM_POSITIONS.POSITION.plus(1))
                .where(STREAM_POSITIONS.STREAM_NAME.eq(stream))
                .returning(STREAM_POSITIONS.POSITION)
                .fetchSingle(STREAM_POSITIONS.POSITION);
    }

    /** Takes {@code count} positions at once (one round trip) and returns the last; the first is {@code last - count + 1}. */
    public long advance(DSLContext tx, String stream, int count) {
        if (count < 1) throw new IllegalArgumentException("count must be at least 1");
        return tx.update(STREAM_POSITIONS).set(STREAM_POSITIONS.POSITION, STREAM_POSITIONS.POSITION.plus(count))
                .where(STREAM_POSITIONS.STREAM_NAME.eq(stream))
                .returning(STREAM_POSITIONS.POSITION)
                .fetchSingle(STREAM_POSITIONS.POSITION);
    }

    /** Every stream's current position, read at start-up. */
    public java.util.Map<String, Long> all(DSLContext dsl) {
        return dsl.select(STREAM_POSITIONS.STREAM_NAME, STREAM_POSITIONS.POSITION).from(STREAM_POSITIONS)
                .fetchMap(STREAM_POSITIONS.STREAM_NAME, STREAM_POSITIONS.POSITION);
    }

    public long current(DSLContext tx, String stream) {
        return tx.select(STREAM_POSITIONS.POSITION).from(STREAM_POSITIONS)
                .where(STREAM_POSITIONS.STREAM_NAME.eq(stream)).fetchSingle(STREAM_POSITIONS.POSITION);
    }
}
