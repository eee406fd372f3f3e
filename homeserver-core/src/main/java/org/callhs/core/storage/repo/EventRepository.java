package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.EVENTS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.jooq.DSLContext;

/** Statements on {@code events}. */
public final class EventRepository {
    public void insert(DSLContext tx, EventsRecord event) {
        tx.insertInto(EVENTS).set(event).execute();
    }

    /**
     * An event clients may read, by ID: accepted and not soft-failed. Outliers are included (the
     * state a join returned is read through them); they have no stream position.
     */
    public Optional<EventsRecord> find(DSLContext tx, String eventId) {
        return tx.selectFrom(EVENTS).where(EVENTS.EVENT_ID.eq(eventId), EVENTS.REJECTED_REASON.isNull(), EVENTS.SOFT_FAILED.isFalse())
                .fetchOptional();
    }

    /** Removes an outlier's row, before the event is written again as part of the timeline. */
    public void deleteOutlier(DSLContext tx, String eventId) {
        tx.deleteFrom(EVENTS).where(EVENTS.EVENT_ID.eq(eventId), EVENTS.OUTLIER.isTrue()).execute();
    }

    /** A soft-failed event now allowed joins the timeline at {@code ordering}. */
    public void readmit(DSLContext tx, String eventId, long ordering) {
        tx.update(EVENTS).set(EVENTS.STREAM_ORDERING, ordering).set(EVENTS.SOFT_FAILED, false)
                .where(EVENTS.EVENT_ID.eq(eventId), EVENTS.SOFT_FAILED.isTrue()).execute();
    }

    /** Any stored event by ID, outliers, rejected and soft-failed ones included. */
    public Optional<EventsRecord> findAny(DSLContext tx, String eventId) {
        return tx.selectFrom(EVENTS).where(EVENTS.EVENT_ID.eq(eventId)).fetchOptional();
    }

    public List<EventsRecord> findAll(DSLContext tx, Collection<String> eventIds) {
        return tx.selectFrom(EVENTS).where(EVENTS.EVENT_ID.in(eventIds), EVENTS.REJECTED_REASON.isNull(), EVENTS.SOFT_FAILED.isFalse())
                .fetch();
    }

    /** Timeline events of every room with positions in {@code (after, upTo]}, oldest first, at most {@code limit}. */
    public List<EventsRecord> timelineBetween(DSLContext dsl, long after, long upTo, int limit) {
        return dsl.selectFrom(EVENTS).where(EVENTS.STREAM_ORDERING.gt(after), EVENTS.STREAM_ORDERING.le(upTo))
                .orderBy(EVENTS.STREAM_ORDERING.asc()).limit(limit).fetch();
    }

    /** Events of a room strictly between two stream positions, newest first, at most {@code limit}. */
    public List<EventsRecord> pageBackwards(DSLContext tx, String roomId, long beforeExclusive, long afterExclusive, int limit) {
        return tx.selectFrom(EVENTS)
                .where(EVENTS.ROOM_ID.eq(roomId), EVENTS.STREAM_ORDERING.lt(beforeExclusive), EVENTS.STREAM_ORDERING.gt(afterExclusive))
                .orderBy(EVENTS.STREAM_ORDERING.desc()).limit(limit).fetch();
    }

    /** Timeline events of any of these rooms below a stream position, newest first, at most {@code limit}. */
    public List<EventsRecord> pageRoomsBackwards(DSLContext dsl, Collection<String> roomIds, long beforeExclusive, int limit) {
        return dsl.selectFrom(EVENTS)
                .where(EVENTS.ROOM_ID.in(roomIds), EVENTS.STREAM_ORDERING.lt(beforeExclusive), EVENTS.STREAM_ORDERING.isNotNull())
                .orderBy(EVENTS.STREAM_ORDERING.desc()).limit(limit).fetch();
    }

    /** Events of a room strictly between two stream positions, oldest first, at most {@code limit}. */
    public List<EventsRecord> pageForwards(DSLContext tx, String roomId, long afterExclusive, long beforeExclusive, int limit) {
        return tx.selectFrom(EVENTS)
                .where(EVENTS.ROOM_ID.eq(roomId), EVENTS.STREAM_ORDERING.gt(afterExclusive), EVENTS.STREAM_ORDERING.lt(beforeExclusive))
                .orderBy(EVENTS.STREAM_ORDERING.asc()).limit(limit).fetch();
    }

    public void markRedacted(DSLContext tx, String eventId, String redactionId) {
        tx.update(EVENTS).set(EVENTS.REDACTED_BY, redactionId).where(EVENTS.EVENT_ID.eq(eventId), EVENTS.REDACTED_BY.isNull()).execute();
    }

    /** The state group after the newest event of a room at or before a stream position; empty before the room existed. */
    public Optional<Long> stateGroupAt(DSLContext dsl, String roomId, long position) {
        return dsl.select(EVENTS.STATE_GROUP_AFTER).from(EVENTS)
                .where(EVENTS.ROOM_ID.eq(roomId), EVENTS.STREAM_ORDERING.le(position))
                .orderBy(EVENTS.STREAM_ORDERING.desc()).limit(1).fetchOptional(EVENTS.STATE_GROUP_AFTER);
    }

    /** The newest event position of each of these rooms (rooms without events are absent). */
    public java.util.Map<String, Long> latestOrderings(DSLContext dsl, Collection<String> roomIds) {
        return dsl.select(EVENTS.ROOM_ID, org.jooq.impl.DSL.max(EVENTS.STREAM_ORDERING)).from(EVENTS)
                .where(EVENTS.ROOM_ID.in(roomIds)).groupBy(EVENTS.ROOM_ID)
                .fetchMap(EVENTS.ROOM_ID, org.jooq.impl.DSL.max(EVENTS.STREAM_ORDERING));
    }

    /** The newest position at or before {@code upTo} of an event of one of {@code types} in the room, if any. */
    public Optional<Long> latestOfTypes(DSLContext dsl, String roomId, Collection<String> types, long upTo) {
        return dsl.select(EVENTS.STREAM_ORDERING).from(EVENTS)
                .where(EVENTS.ROOM_ID.eq(roomId), EVENTS.STREAM_ORDERING.le(upTo), EVENTS.EVENT_TYPE.in(types))
                .orderBy(EVENTS.STREAM_ORDERING.desc()).limit(1).fetchOptional(EVENTS.STREAM_ORDERING);
    }

    /**
     * The room's backward extremities: prev events its timeline events name that this server
     * does not hold as timeline events (unknown, or only outliers), deepest first.
     */
    public List<String> backwardExtremities(DSLContext dsl, String roomId, int limit) {
        var edges = org.callhs.core.storage.schema.Tables.EVENT_EDGES;
        var child = EVENTS.as("child");
        var prev = EVENTS.as("prev");
        return dsl.selectDistinct(edges.PREV_EVENT_ID, child.DEPTH).from(edges)
                .join(child).on(child.EVENT_ID.eq(edges.EVENT_ID))
                .where(child.ROOM_ID.eq(roomId), child.STREAM_ORDERING.isNotNull())
                .andNotExists(dsl.selectOne().from(prev).where(prev.EVENT_ID.eq(edges.PREV_EVENT_ID), prev.STREAM_ORDERING.isNotNull()))
                .orderBy(child.DEPTH.desc(), edges.PREV_EVENT_ID).limit(limit * 4)
                .fetch(edges.PREV_EVENT_ID).stream().distinct().limit(limit).toList();
    }

    /**
     * The room's timeline event closest to {@code ts} in direction {@code forwards} (the first at
     * or after it, else the last at or before it), by {@code origin_server_ts} then stream order.
     */
    public Optional<EventsRecord> closestTo(DSLContext dsl, String roomId, long ts, boolean forwards) {
        var query = dsl.selectFrom(EVENTS).where(EVENTS.ROOM_ID.eq(roomId), EVENTS.STREAM_ORDERING.isNotNull(),
                forwards ? EVENTS.ORIGIN_SERVER_TS.ge(ts) : EVENTS.ORIGIN_SERVER_TS.le(ts));
        return (forwards ? query.orderBy(EVENTS.ORIGIN_SERVER_TS.asc(), EVENTS.STREAM_ORDERING.asc())
                : query.orderBy(EVENTS.ORIGIN_SERVER_TS.desc(), EVENTS.STREAM_ORDERING.desc())).limit(1).fetchOptional();
    }
}
