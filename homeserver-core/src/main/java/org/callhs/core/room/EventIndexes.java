package org.callhs.core.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.storage.repo.EventRelationRepository;
import org.callhs.core.storage.repo.EventSearchRepository;
import org.jooq.DSLContext;

/**
 * The per-event indexes kept beside the timeline, in the writing transaction: relations
 * ({@code m.relates_to}) and the full-text search index. A redaction takes the redacted event
 * out of both (its relation and text are gone from what clients may see).
 */
public final class EventIndexes {
    private final EventRelationRepository relations;
    private final EventSearchRepository search;

    public EventIndexes(EventRelationRepository relations, EventSearchRepository search) {
        this.relations = relations;
        this.search = search;
    }

    /** Indexes a timeline event. */
    void written(DSLContext tx, String eventId, String roomId, ObjectNode pdu, long ordering) {
        String type = pdu.path("type").asText();
        String sender = pdu.path("sender").asText();
        RelatesTo.of(pdu).ifPresent(r -> relations.insert(tx, eventId, r.eventId(), r.relType(), roomId, type, sender, ordering));
        EventSearchRepository.Entry entry = EventSearchRepository.entryOf(type, pdu);
        if (entry != null) search.insert(tx, eventId, roomId, sender, entry, ordering, pdu.path("origin_server_ts").asLong());
    }

    /** Takes a redacted event out of the indexes. */
    void redacted(DSLContext tx, String eventId) {
        relations.delete(tx, eventId);
        search.delete(tx, eventId);
    }
}
