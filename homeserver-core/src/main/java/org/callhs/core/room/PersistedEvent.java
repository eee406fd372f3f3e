package org.callhs.core.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.event.RoomVersion;

/**
 * * An event as stored: its ID, position on the events stream (0 for outliers, which have none), the PDU as signed (shared and
 * immutable: copy before changing), the room's version, and how it was sent.
 *
 * @param redactedBy    ID of the redaction that applies to it, or null
 * @param replacesState    for state events, the event it replaced in the room state, or null
 * @param stateGroupBefore the state group before the event (null for the create event)
 */
public record PersistedEvent(String eventId, String roomId, long streamOrdering, ObjectNode pdu, RoomVersion version,
                             String senderDevice, String txnId, String redactedBy, String replacesState, Long stateGroupBefore,
                             ObjectNode internal) {
    public String type() { return pdu.path("type").asText(); }
    public String sender() { return pdu.path("sender").asText(); }
    public String stateKey() { return pdu.has("state_key") ? pdu.get("state_key").asText() : null; }
    public boolean isState() { return pdu.has("state_key"); }
    public long originServerTs() { return pdu.path("origin_server_ts").asLong(); }

    /** A server-side fact recorded when the event was sent (see {@link EventDraft#internal()}), or null. */
    public String internalText(String key) {
        return internal == null || !internal.path(key).isTextual() ? null : internal.get(key).textValue();
    }

    public PersistedEvent withRedactedBy(String redaction) {
        return new PersistedEvent(eventId, roomId, streamOrdering, pdu, version, senderDevice, txnId, redaction, replacesState,
                stateGroupBefore, internal);
    }
}
