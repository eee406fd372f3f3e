package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;

/**
 * The event ID an inbound PDU is reported under in a {@code /send} answer. Without the room
 * (this server takes part in no federated room yet) the version is inferred: a room ID without
 * a server part, or a create event without a room ID, is version 12; anything else is hashed
 * with version 11's redaction rules (10 differs only in keys such PDUs rarely carry). A value
 * that is not a PDU-shaped object gives null: it is left out of the answer, as Synapse does.
 */
final class PduIds {
    String eventId(JsonNode pdu) {
        if (!pdu.isObject() || !pdu.path("type").isTextual() || !pdu.path("sender").isTextual() || pdu.has("event_id")) return null;
        JsonNode roomId = pdu.get("room_id");
        RoomVersion version;
        if (roomId == null) {
            if (!"m.room.create".equals(pdu.get("type").textValue())) return null;
            version = RoomVersion.V12;
        } else if (!roomId.isTextual()) {
            return null;
        } else {
            version = roomId.textValue().contains(":") ? RoomVersion.V11 : RoomVersion.V12;
        }
        try {
            return EventHashes.eventId(pdu, version);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
