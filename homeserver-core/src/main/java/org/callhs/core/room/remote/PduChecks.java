package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.Redaction;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.EventBuilder;
import org.callhs.core.spi.ServerKeys;
import org.callhs.core.util.MatrixIds;

/**
 * The first three checks on receipt of a PDU (Server-Server API "Checks performed on receipt
 * of a PDU"), which need nothing of the room but its version: the format of the version,
 * the signatures, and the content hash. A PDU failing the first two is dropped
 * ({@link InvalidPdu}); one whose content hash does not match goes on in its redacted form.
 */
public final class PduChecks {
    /** Most {@code prev_events} and {@code auth_events} a PDU may list (Synapse's limits). */
    static final int MAX_PREV_EVENTS = 20;
    static final int MAX_AUTH_EVENTS = 10;
    private static final int MAX_ID_BYTES = 255;

    /**
     * A PDU that passed: its event ID, the PDU to use (redacted when its content hash did not
     * match), and its canonical JSON.
     */
    public record Checked(String eventId, ObjectNode pdu, byte[] canonical, boolean redactedOnReceipt) {}

    private final ServerKeys keys;

    public PduChecks(ServerKeys keys) {
        this.keys = keys;
    }

    /**
     * Checks {@code raw} as a PDU of {@code version} for room {@code roomId} (null for a v12
     * create event, which names no room). Throws {@link InvalidPdu} when it must be dropped.
     */
    public Checked check(JsonNode raw, RoomVersion version, String roomId) {
        if (raw == null || !raw.isObject()) throw new InvalidPdu("PDU is not a JSON object");
        ObjectNode pdu = ((ObjectNode) raw).deepCopy();
        pdu.remove("unsigned");
        checkFormat(pdu, version, roomId);
        byte[] canonical;
        try {
            canonical = CanonicalJson.encode(pdu);
        } catch (IllegalArgumentException e) {
            throw new InvalidPdu("PDU is not canonical JSON: " + e.getMessage());
        }
        if (canonical.length > EventBuilder.MAX_PDU_BYTES) throw new InvalidPdu("PDU larger than " + EventBuilder.MAX_PDU_BYTES + " bytes");
        String eventId = EventHashes.eventId(pdu, version);
        checkSignatures(pdu, version);
        String expected = pdu.path("hashes").path("sha256").asText();
        if (!EventHashes.contentHash(pdu).equals(expected)) {
            ObjectNode redacted = Redaction.redact(pdu, version);
            return new Checked(eventId, redacted, CanonicalJson.encode(redacted), true);
        }
        return new Checked(eventId, pdu, canonical, false);
    }

    private static void checkFormat(ObjectNode pdu, RoomVersion version, String roomId) {
        if (pdu.has("event_id")) throw new InvalidPdu("PDU carries an event_id (this room version derives it)");
        String type = text(pdu, "type", true);
        checkLength("type", type);
        boolean create = type.equals("m.room.create");
        String sender = text(pdu, "sender", true);
        if (!MatrixIds.isValidUserId(sender) || sender.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new InvalidPdu("sender is not a valid user ID");
        }
        JsonNode stateKey = pdu.get("state_key");
        if (stateKey != null) {
            if (!stateKey.isTextual()) throw new InvalidPdu("state_key is not a string");
            checkLength("state_key", stateKey.textValue());
        }
        if (create && version.roomIdIsCreateEventHash()) {
            if (pdu.has("room_id")) throw new InvalidPdu("a create event of this room version has no room_id");
        } else {
            String pduRoom = text(pdu, "room_id", true);
            if (roomId != null && !roomId.equals(pduRoom)) throw new InvalidPdu("PDU is for room " + pduRoom + ", not " + roomId);
        }
        if (!pdu.path("content").isObject()) throw new InvalidPdu("content is not an object");
        integer(pdu, "origin_server_ts", Long.MIN_VALUE);
        long depth = integer(pdu, "depth", 0);
        if (depth > EventBuilder.MAX_DEPTH) throw new InvalidPdu("depth is too large");
        checkIds(pdu, "prev_events", MAX_PREV_EVENTS);
        checkIds(pdu, "auth_events", MAX_AUTH_EVENTS);
        if (version.roomIdIsCreateEventHash() && roomId != null && roomId.startsWith("!")) {
            String createId = "$" + roomId.substring(1);
            for (JsonNode id : pdu.get("auth_events")) {
                if (id.textValue().equals(createId)) throw new InvalidPdu("auth_events list the create event, which this room version forbids");
            }
        }
        if (!pdu.path("hashes").path("sha256").isTextual()) throw new InvalidPdu("hashes.sha256 is missing");
        if (!pdu.path("signatures").isObject()) throw new InvalidPdu("signatures is not an object");
        if (version.redactsInContent()) {
            if (type.equals("m.room.redaction") && pdu.path("content").has("redacts") && !pdu.path("content").path("redacts").isTextual()) {
                throw new InvalidPdu("content.redacts is not a string");
            }
        } else if (type.equals("m.room.redaction") && !pdu.path("redacts").isTextual()) {
            throw new InvalidPdu("redacts is not a string");
        }
    }

    private static String text(JsonNode pdu, String field, boolean required) {
        JsonNode value = pdu.get(field);
        if (value == null || !value.isTextual()) {
            if (required) throw new InvalidPdu(field + " is missing or not a string");
            return null;
        }
        return value.textValue();
    }

    private static void checkLength(String field, String value) {
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) throw new InvalidPdu(field + " is longer than 255 bytes");
    }

    private static long integer(JsonNode pdu, String field, long min) {
        JsonNode value = pdu.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) throw new InvalidPdu(field + " is not an integer");
        if (value.longValue() < min) throw new InvalidPdu(field + " is negative");
        return value.longValue();
    }

    private static void checkIds(JsonNode pdu, String field, int max) {
        JsonNode ids = pdu.get(field);
        if (ids == null || !ids.isArray()) throw new InvalidPdu(field + " is not an array");
        if (ids.size() > max) throw new InvalidPdu(field + " lists more than " + max + " events");
        for (JsonNode id : ids) {
            if (!id.isTextual() || !id.textValue().startsWith("$") || id.textValue().length() > MAX_ID_BYTES) {
                throw new InvalidPdu(field + " holds something that is not an event ID");
            }
        }
    }

    /**
     * The servers that must have signed: the sender's, and for a restricted join (versions that
     * have them) the authorising user's. Each must have a verifying ed25519 signature by a key
     * valid at the event's {@code origin_server_ts}, over the redacted event.
     */
    private void checkSignatures(ObjectNode pdu, RoomVersion version) {
        Set<String> required = new LinkedHashSet<>();
        required.add(MatrixIds.serverName(pdu.get("sender").textValue()));
        JsonNode content = pdu.path("content");
        if (version.restrictedJoins() && "m.room.member".equals(pdu.path("type").asText())
                && "join".equals(content.path("membership").asText()) && content.path("join_authorised_via_users_server").isTextual()) {
            String authoriser = content.get("join_authorised_via_users_server").textValue();
            if (MatrixIds.isValidUserId(authoriser)) required.add(MatrixIds.serverName(authoriser));
        }
        ObjectNode redacted = Redaction.redact(pdu, version);
        long ts = pdu.get("origin_server_ts").longValue();
        for (String server : required) {
            if (!signedBy(redacted, server, ts)) throw new InvalidPdu("no valid signature of " + server);
        }
    }

    private boolean signedBy(ObjectNode redacted, String server, long ts) {
        JsonNode bySever = redacted.path("signatures").path(server);
        if (!bySever.isObject()) return false;
        for (Iterator<Map.Entry<String, JsonNode>> it = bySever.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> signature = it.next();
            if (!signature.getKey().startsWith("ed25519:") || !signature.getValue().isTextual()) continue;
            Optional<byte[]> key = keys.key(server, signature.getKey(), ts);
            if (key.isEmpty()) continue;
            try {
                if (JsonSigner.verify(redacted, server, signature.getKey(), key.get())) return true;
            } catch (RuntimeException e) {
                // an undecodable signature does not verify
            }
        }
        return false;
    }

}
