package org.callhs.core.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Signs JSON objects as the spec's "Signing JSON" section describes. */
public final class JsonSigner {
    private final String serverName;
    private final SigningKey key;

    public JsonSigner(String serverName, SigningKey key) {
        this.serverName = serverName;
        this.key = key;
    }

    /**
     * Adds this server's signature to {@code object} in place: the canonical form of the object
     * without {@code signatures} and {@code unsigned} is signed; existing signatures are kept.
     */
    public ObjectNode sign(ObjectNode object) {
        JsonNode unsigned = object.remove("unsigned");
        JsonNode existing = object.remove("signatures");
        byte[] signature = key.sign(CanonicalJson.encode(object));
        ObjectNode signatures = existing instanceof ObjectNode o ? o : object.objectNode();
        ObjectNode ours = signatures.get(serverName) instanceof ObjectNode o ? o : signatures.putObject(serverName);
        ours.put(key.keyId(), UnpaddedBase64.encode(signature));
        object.set("signatures", signatures);
        if (unsigned != null) object.set("unsigned", unsigned);
        return object;
    }

    /** Verifies {@code signer}'s signature with {@code keyId} on {@code object} against a public key. */
    public static boolean verify(JsonNode object, String signer, String keyId, byte[] publicKey) {
        JsonNode signature = object.path("signatures").path(signer).path(keyId);
        if (!signature.isTextual()) return false;
        ObjectNode copy = object.deepCopy();
        copy.remove("signatures");
        copy.remove("unsigned");
        try {
            return SigningKey.verify(publicKey, CanonicalJson.encode(copy), UnpaddedBase64.decode(signature.textValue()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
