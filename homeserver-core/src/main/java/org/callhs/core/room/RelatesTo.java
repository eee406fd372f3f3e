package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * An event's relation to another (<a href="https://spec.matrix.org/v1.16/client-server-api/#forming-relationships-between-events">spec</a>):
 * {@code content.m.relates_to} with a string {@code rel_type} and a string {@code event_id}.
 * Replies ({@code m.in_reply_to} without a rel_type) are not relations in this sense.
 */
public record RelatesTo(String relType, String eventId) {
    public static final String THREAD = "m.thread";
    public static final String REPLACE = "m.replace";
    public static final String REFERENCE = "m.reference";
    public static final String ANNOTATION = "m.annotation";

    /** The relation in a PDU's (or client event's) content, if it has a well-formed one. */
    public static Optional<RelatesTo> of(JsonNode event) {
        JsonNode relates = event.path("content").path("m.relates_to");
        if (!relates.path("rel_type").isTextual() || !relates.path("event_id").isTextual()) return Optional.empty();
        String relType = relates.get("rel_type").textValue();
        String eventId = relates.get("event_id").textValue();
        if (relType.isEmpty() || eventId.isEmpty()) return Optional.empty();
        return Optional.of(new RelatesTo(relType, eventId));
    }
}
