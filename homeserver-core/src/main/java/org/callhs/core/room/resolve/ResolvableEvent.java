package org.callhs.core.room.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.room.auth.StateKey;

/**
 * What state resolution needs to know of one event: its PDU (federation format; the fields
 * read are {@code type}, {@code state_key}, {@code sender}, {@code origin_server_ts},
 * {@code auth_events} and what the authorisation rules read), its ID, and whether this server
 * rejected it.
 *
 * @param eventId  the event ID
 * @param pdu      the PDU, as signed
 * @param rejected true when the event failed the checks on receipt; a rejected event is never
 *                 used as an auth event in the iterative checks
 */
public record ResolvableEvent(String eventId, JsonNode pdu, boolean rejected) {

    public String type() { return pdu.path("type").asText(""); }

    public String sender() { return pdu.path("sender").asText(""); }

    /** The state key, or null for a message event. */
    public String stateKey() {
        JsonNode key = pdu.get("state_key");
        return key != null && key.isTextual() ? key.textValue() : null;
    }

    /** The (type, state key) slot, or null for a message event. */
    public StateKey key() {
        String stateKey = stateKey();
        return stateKey == null ? null : StateKey.of(type(), stateKey);
    }

    public long originServerTs() { return pdu.path("origin_server_ts").asLong(0); }

    /** The IDs in {@code auth_events}, in order; entries that are not strings are skipped. */
    public List<String> authEventIds() {
        List<String> ids = new ArrayList<>();
        JsonNode auth = pdu.get("auth_events");
        if (auth != null && auth.isArray()) {
            for (JsonNode id : auth) if (id.isTextual()) ids.add(id.textValue());
        }
        return ids;
    }
}
