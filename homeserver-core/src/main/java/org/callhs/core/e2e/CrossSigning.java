package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;

/** Cross-signing key objects (spec "Cross-signing"): types, checks and signature verification. */
final class CrossSigning {
    static final String MASTER = "master";
    static final String SELF_SIGNING = "self_signing";
    static final String USER_SIGNING = "user_signing";
    private static final String ED25519 = "ed25519:";

    private CrossSigning() {}

    /** A checked cross-signing key: its type, the object, its key ID ({@code ed25519:<id>}), the ID part and the public key bytes. */
    record Key(String type, ObjectNode json, String keyId, String publicKeyId, byte[] publicKey) {}

    /**
     * Checks an uploaded key as Synapse does: {@code user_id} is the uploader, {@code usage}
     * contains the type, {@code keys} holds exactly one Ed25519 key. Anything else is 400
     * {@code M_INVALID_PARAM}.
     */
    static Key parse(JsonNode node, String userId, String type) {
        if (!(node instanceof ObjectNode key)) throw MatrixException.badJson(type + "_key must be an object");
        MatrixException invalid = MatrixException.invalidParam("Invalid " + type + " key");
        if (!userId.equals(key.path("user_id").asText(null)) || !key.path("user_id").isTextual()) throw invalid;
        JsonNode usage = key.get("usage");
        boolean hasUsage = false;
        if (usage == null || !usage.isArray()) throw invalid;
        for (JsonNode u : usage) hasUsage |= u.isTextual() && u.textValue().equals(type);
        if (!hasUsage) throw invalid;
        Key parsed = fromStored(key, type);
        if (parsed == null) throw invalid;
        KeyJson.checkSignatures(key.get("signatures"), type + "_key", false);
        return parsed;
    }

    /** The key ID and public key of a key object; null when {@code keys} is not exactly one valid Ed25519 key. */
    static Key fromStored(ObjectNode key, String type) {
        JsonNode keys = key.get("keys");
        if (!(keys instanceof ObjectNode map) || map.size() != 1) return null;
        Map.Entry<String, JsonNode> entry = map.fields().next();
        if (!entry.getKey().startsWith(ED25519) || entry.getKey().length() == ED25519.length() || !entry.getValue().isTextual()) {
            return null;
        }
        byte[] publicKey;
        try {
            publicKey = UnpaddedBase64.decode(entry.getValue().textValue());
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (publicKey.length != 32) return null;
        return new Key(type, key, entry.getKey(), entry.getKey().substring(ED25519.length()), publicKey);
    }

    /** True when {@code object} carries a valid signature by {@code signerUserId}'s key {@code keyId}. */
    static boolean verify(JsonNode object, String signerUserId, String keyId, byte[] publicKey) {
        return JsonSigner.verify(object, signerUserId, keyId, publicKey);
    }

    static MatrixException invalidSignature(String message) {
        return new MatrixException(ErrCode.INVALID_SIGNATURE, 400, message);
    }

    /** The Ed25519 key of a device's keys object for {@code keyId} ({@code ed25519:<device ID>}), or null. */
    static byte[] deviceKey(JsonNode deviceKeys, String keyId) {
        JsonNode key = deviceKeys.path("keys").get(keyId);
        if (key == null || !key.isTextual()) return null;
        try {
            byte[] bytes = UnpaddedBase64.decode(key.textValue());
            return bytes.length == 32 ? bytes : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
