package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.EVENTS;
import static org.callhs.core.storage.schema.Tables.EVENT_RELATIONS;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.callhs.core.storage.schema.tables.records.EventRelationsRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** Statements on {@code event_relations}: which timeline event relates to which, and how. */
public final class EventRelationRepository {
    /** A thread of a room: its root and the position of its newest event. */
    public record Thread(String rootId, long latestOrdering) {}

    public void insert(DSLContext tx, String eventId, String relatesTo, String relType, String roomId, String eventType, String sender,
                       long streamOrdering) {
        tx.insertInto(EVENT_RELATIONS)
                .set(EVENT_RELATIONS.EVENT_ID, eventId).set(EVENT_RELATIONS.RELATES_TO, relatesTo).set(EVENT_RELATIONS.REL_TYPE, relType)
                .set(EVENT_RELATIONS.ROOM_ID, roomId).set(EVENT_RELATIONS.EVENT_TYPE, eventType).set(EVENT_RELATIONS.SENDER, sender)
                .set(EVENT_RELATIONS.STREAM_ORDERING, streamOrdering)
                .onConflict(EVENT_RELATIONS.EVENT_ID).doNothing().execute();
    }

    /** Drops a redacted event's relation. */
    public void delete(DSLContext tx, String eventId) {
        tx.deleteFrom(EVENT_RELATIONS).where(EVENT_RELATIONS.EVENT_ID.eq(eventId)).execute();
    }

    /**
     * Relations to one of {@code parents} from events of the room with a position in
     * {@code (after, before)}, optionally of one rel_type and event type, newest first when
     * {@code backwards}, at most {@code limit}.
     */
    public List<EventRelationsRecord> page(DSLContext dsl, String roomId, Collection<String> parents, String relType, String eventType,
                                           long after, long before, boolean backwards, int limit) {
        Condition where = EVENT_RELATIONS.RELATES_TO.in(parents).and(EVENT_RELATIONS.ROOM_ID.eq(roomId))
                .and(EVENT_RELATIONS.STREAM_ORDERING.gt(after)).and(EVENT_RELATIONS.STREAM_ORDERING.lt(before));
        if (relType != null) where = where.and(EVENT_RELATIONS.REL_TYPE.eq(relType));
        if (eventType != null) where = where.and(EVENT_RELATIONS.EVENT_TYPE.eq(eventType));
        return dsl.selectFrom(EVENT_RELATIONS).where(where)
                .orderBy(backwards ? EVENT_RELATIONS.STREAM_ORDERING.desc() : EVENT_RELATIONS.STREAM_ORDERING.asc())
                .limit(limit).fetch();
    }

    /**
     * The room's threads whose newest event is older than {@code before}, newest activity first;
     * with {@code participant}, only threads whose root that user sent or in which they replied.
     */
    public List<Thread> threads(DSLContext dsl, String roomId, long before, String participant, int limit) {
        var latest = DSL.max(EVENT_RELATIONS.STREAM_ORDERING);
        Condition where = EVENT_RELATIONS.ROOM_ID.eq(roomId).and(EVENT_RELATIONS.REL_TYPE.eq("m.thread"));
        if (participant != null) {
            var mine = EVENT_RELATIONS.as("mine");
            where = where.and(EVENT_RELATIONS.RELATES_TO.in(dsl.select(mine.RELATES_TO).from(mine)
                    .where(mine.ROOM_ID.eq(roomId), mine.REL_TYPE.eq("m.thread"), mine.SENDER.eq(participant)))
                    .or(DSL.exists(dsl.selectOne().from(EVENTS)
                            .where(EVENTS.EVENT_ID.eq(EVENT_RELATIONS.RELATES_TO), EVENTS.SENDER.eq(participant)))));
        }
        return dsl.select(EVENT_RELATIONS.RELATES_TO, latest).from(EVENT_RELATIONS).where(where)
                .groupBy(EVENT_RELATIONS.RELATES_TO).having(latest.lt(before))
                .orderBy(latest.desc()).limit(limit)
                .fetch(r -> new Thread(r.value1(), r.value2()));
    }

    /** Of these events, the ones that some event relates to with one of {@code relTypes} (any when null) from one of {@code senders} (any when null). */
    public List<String> parentsAmong(DSLContext dsl, String roomId, Collection<String> events, Collection<String> relTypes,
                                     Collection<String> senders) {
        Condition where = EVENT_RELATIONS.RELATES_TO.in(events).and(EVENT_RELATIONS.ROOM_ID.eq(roomId));
        if (relTypes != null) where = where.and(EVENT_RELATIONS.REL_TYPE.in(relTypes));
        if (senders != null) where = where.and(EVENT_RELATIONS.SENDER.in(senders));
        return dsl.selectDistinct(EVENT_RELATIONS.RELATES_TO).from(EVENT_RELATIONS).where(where).fetch(EVENT_RELATIONS.RELATES_TO);
    }

    /** How many events of a rel_type relate to a parent, and the newest one's position. */
    public record Tally(String relType, int count, long latestOrdering) {}

    /** Per rel_type among {@code relTypes}: how many events of the room relate to {@code parent}, and the newest position. */
    public List<Tally> tallies(DSLContext dsl, String roomId, String parent, Collection<String> relTypes) {
        var count = DSL.count();
        var latest = DSL.max(EVENT_RELATIONS.STREAM_ORDERING);
        return dsl.select(EVENT_RELATIONS.REL_TYPE, count, latest).from(EVENT_RELATIONS)
                .where(EVENT_RELATIONS.RELATES_TO.eq(parent), EVENT_RELATIONS.ROOM_ID.eq(roomId), EVENT_RELATIONS.REL_TYPE.in(relTypes))
                .groupBy(EVENT_RELATIONS.REL_TYPE)
                .fetch(r -> new Tally(r.value1(), r.value2(), r.value3()));
    }

    /** The events of a rel_type relating to {@code parent}, oldest first, at most {@code limit}. */
    public List<EventRelationsRecord> children(DSLContext dsl, String roomId, String parent, String relType, int limit) {
        return dsl.selectFrom(EVENT_RELATIONS)
                .where(EVENT_RELATIONS.RELATES_TO.eq(parent), EVENT_RELATIONS.ROOM_ID.eq(roomId), EVENT_RELATIONS.REL_TYPE.eq(relType))
                .orderBy(EVENT_RELATIONS.STREAM_ORDERING.asc()).limit(limit).fetch();
    }

    /** The senders of the events of a rel_type relating to {@code parent}. */
    public java.util.Set<String> senders(DSLContext dsl, String roomId, String parent, String relType) {
        return new java.util.HashSet<>(dsl.selectDistinct(EVENT_RELATIONS.SENDER).from(EVENT_RELATIONS)
                .where(EVENT_RELATIONS.RELATES_TO.eq(parent), EVENT_RELATIONS.ROOM_ID.eq(roomId), EVENT_RELATIONS.REL_TYPE.eq(relType))
                .fetch(EVENT_RELATIONS.SENDER));
    }

    /** The event of a rel_type relating to {@code parent} at a position. */
    public Optional<String> at(DSLContext dsl, String roomId, String parent, long ordering) {
        return dsl.select(EVENT_RELATIONS.EVENT_ID).from(EVENT_RELATIONS)
                .where(EVENT_RELATIONS.RELATES_TO.eq(parent), EVENT_RELATIONS.ROOM_ID.eq(roomId), EVENT_RELATIONS.STREAM_ORDERING.eq(ordering))
                .fetchOptional(EVENT_RELATIONS.EVENT_ID);
    }
}
