package org.callhs.core.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.UnpaddedBase64;

/**
 * Content hashes, reference hashes, event IDs and event signatures (Server-Server API
 * "Signing Events" and "Calculating the reference hash for an event").
 */
public final class EventHashes {
    private EventHashes() {}

    /** SHA-256 over the canonical event without {@code unsigned}, {@code signatures} and {@code hashes}; standard unpadded base64. */
    public static String contentHash(JsonNode pdu) {
        ObjectNode copy = pdu.deepCopy();
        copy.remove("unsigned");
        copy.remove("signatures");
        copy.remove("hashes");
        return UnpaddedBase64.encode(sha256(CanonicalJson.encode(copy)));
    }

    /** SHA-256 over the canonical redacted event without {@code signatures} and {@code unsigned}; URL-safe unpadded base64. */
    public static String referenceHash(JsonNode pdu, RoomVersion version) {
        ObjectNode redacted = Redaction.redact(pdu, version);
        redacted.remove("signatures");
        redacted.remove("unsigned");
        return UnpaddedBase64.encodeUrlSafe(sha256(CanonicalJson.encode(redacted)));
    }

    /** The event ID of a PDU in room versions 4 and later: {@code $} + reference hash. */
    public static String eventId(JsonNode pdu, RoomVersion version) {
        return "$" + referenceHash(pdu, version);
    }

    /**
     * Fills {@code hashes.sha256} and adds this server's signature over the redacted event,
     * in place. The PDU must be complete: every later change invalidates both.
     */
    public static ObjectNode hashAndSign(ObjectNode pdu, RoomVersion version, JsonSigner signer) {
        pdu.remove("hashes");
        pdu.putObject("hashes").put("sha256", contentHash(pdu));
        ObjectNode redacted = Redaction.redact(pdu, version);
        redacted.remove("unsigned");
        signer.sign(redacted);
        pdu.set("signatures", redacted.get("signatures"));
        return pdu;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
