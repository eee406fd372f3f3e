package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.EVENT_EDGES;

import java.util.Collection;
import java.util.List;
import org.jooq.DSLContext;

/** Statements on {@code event_edges}: each event's {@code prev_events}. */
public final class EventEdgeRepository {
    /** Records {@code eventId}'s prev events (once each). */
    public void insert(DSLContext tx, String eventId, Collection<String> prevEventIds) {
        if (prevEventIds.isEmpty()) return;
        var insert = tx.insertInto(EVENT_EDGES, EVENT_EDGES.EVENT_ID, EVENT_EDGES.PREV_EVENT_ID);
        for (String prev : new java.util.LinkedHashSet<>(prevEventIds)) insert = insert.values(eventId, prev);
        insert.execute();
    }

    public void delete(DSLContext tx, String eventId) {
        tx.deleteFrom(EVENT_EDGES).where(EVENT_EDGES.EVENT_ID.eq(eventId)).execute();
    }

    /** The prev events of {@code eventId}, as recorded. */
    public List<String> prevEvents(DSLContext tx, String eventId) {
        return tx.select(EVENT_EDGES.PREV_EVENT_ID).from(EVENT_EDGES).where(EVENT_EDGES.EVENT_ID.eq(eventId))
                .orderBy(EVENT_EDGES.PREV_EVENT_ID).fetch(EVENT_EDGES.PREV_EVENT_ID);
    }

    /** The events that name {@code eventId} as a prev event. */
    public List<String> children(DSLContext tx, String eventId) {
        return tx.select(EVENT_EDGES.EVENT_ID).from(EVENT_EDGES).where(EVENT_EDGES.PREV_EVENT_ID.eq(eventId))
                .orderBy(EVENT_EDGES.EVENT_ID).fetch(EVENT_EDGES.EVENT_ID);
    }
}
