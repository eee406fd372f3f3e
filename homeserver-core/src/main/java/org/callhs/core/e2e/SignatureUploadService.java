package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CrossSigningKeyRepository;
import org.callhs.core.storage.repo.CrossSigningSignatureRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository.DeviceKeys;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * {@code POST /keys/signatures/upload}: signatures on keys the server already holds. Three
 * kinds are accepted, as Synapse does: the requester's devices signed by their self-signing
 * key, the requester's master key signed by their devices, and other users' master keys signed
 * by the requester's user-signing key. The signed object must equal the stored key apart from
 * {@code signatures} and {@code unsigned}. Each signature that fails is reported under
 * {@code failures} (user ID, then key ID) with {@code status}, {@code errcode} and {@code error};
 * the others are stored.
 */
public final class SignatureUploadService {
    private final String serverName;
    private final Database database;
    private final CrossSigningKeyRepository crossSigningKeys;
    private final DeviceKeyRepository deviceKeys;
    private final CrossSigningSignatureRepository signatures;
    private final DeviceListUpdates deviceLists;

    public SignatureUploadService(String serverName, Database database, CrossSigningKeyRepository crossSigningKeys,
                                  DeviceKeyRepository deviceKeys, CrossSigningSignatureRepository signatures,
                                  DeviceListUpdates deviceLists) {
        this.serverName = serverName;
        this.database = database;
        this.crossSigningKeys = crossSigningKeys;
        this.deviceKeys = deviceKeys;
        this.signatures = signatures;
        this.deviceLists = deviceLists;
    }

    private record Signature(String signerKeyId, String targetUserId, String targetKeyId, String signature) {}

    public ObjectNode upload(String userId, ObjectNode body) {
        Map<String, ObjectNode> byUser = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> user = it.next();
            ObjectNode keys = KeyJson.asObject(user.getValue(), KeyJson.abbreviate(user.getKey()));
            keys.fields().forEachRemaining(k -> KeyJson.asObject(k.getValue(), KeyJson.abbreviate(user.getKey()) + "."
                    + KeyJson.abbreviate(k.getKey())));
            byUser.put(user.getKey(), keys);
        }
        ObjectNode failures = Json.object();
        List<Signature> accepted = new ArrayList<>();
        DSLContext dsl = database.dsl();
        byUser.forEach((target, keys) -> keys.fields().forEachRemaining(entry -> {
            try {
                if (target.equals(userId)) {
                    accepted.addAll(ownKey(dsl, userId, entry.getKey(), (ObjectNode) entry.getValue()));
                } else {
                    accepted.add(otherUsersMasterKey(dsl, userId, target, entry.getKey(), (ObjectNode) entry.getValue()));
                }
            } catch (MatrixException e) {
                KeyJson.child(failures, target).set(entry.getKey(), Json.object().put("status", e.status())
                        .put("errcode", e.errcode()).put("error", e.getMessage()));
            }
        }));
        store(userId, accepted);
        return Json.object().set("failures", failures);
    }

    private void store(String userId, List<Signature> accepted) {
        if (accepted.isEmpty()) return;
        boolean own = accepted.stream().anyMatch(s -> s.targetUserId().equals(userId));
        Set<String> others = new LinkedHashSet<>();
        accepted.stream().filter(s -> !s.targetUserId().equals(userId)).forEach(s -> others.add(s.targetUserId()));
        long position = database.transaction(tx -> {
            for (Signature s : accepted) {
                signatures.upsert(tx, userId, s.signerKeyId(), s.targetUserId(), s.targetKeyId(), s.signature());
            }
            long next = own ? deviceLists.append(tx, userId) : deviceLists.nextPosition(tx);
            for (String other : others) deviceLists.appendPrivate(tx, next, other, userId);
            return next;
        });
        if (own) deviceLists.published(userId, position);
        if (!others.isEmpty()) deviceLists.publishedTo(userId, position);
    }

    /** The requester's device signed by their self-signing key, or their master key signed by their devices. */
    private List<Signature> ownKey(DSLContext dsl, String userId, String keyId, ObjectNode signed) {
        ObjectNode sigs = signaturesBy(signed, userId);
        CrossSigning.Key master = stored(dsl, userId, CrossSigning.MASTER);
        if (master != null && keyId.equals(master.publicKeyId())) {
            requireSameKey(signed, master.json());
            List<Signature> result = new ArrayList<>();
            Map<String, ObjectNode> devices = new HashMap<>();
            for (DeviceKeys d : deviceKeys.forUser(dsl, userId, List.of())) devices.put(d.deviceId(), (ObjectNode) KeyJson.stored(d.keyJson()));
            for (Iterator<Map.Entry<String, JsonNode>> it = sigs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> sig = it.next();
                if (sig.getValue().equals(master.json().path("signatures").path(userId).get(sig.getKey()))) continue; // already part of the key
                String deviceId = sig.getKey().startsWith("ed25519:") ? sig.getKey().substring("ed25519:".length()) : null;
                byte[] deviceKey = deviceId == null || !devices.containsKey(deviceId) ? null
                        : CrossSigning.deviceKey(devices.get(deviceId), sig.getKey());
                if (deviceKey == null || !CrossSigning.verify(signed, userId, sig.getKey(), deviceKey)) {
                    throw CrossSigning.invalidSignature("Invalid signature");
                }
                result.add(new Signature(sig.getKey(), userId, keyId, sig.getValue().textValue()));
            }
            return result;
        }
        CrossSigning.Key selfSigning = stored(dsl, userId, CrossSigning.SELF_SIGNING);
        if (selfSigning == null) throw MatrixException.notFound("No self-signing key found for " + userId);
        JsonNode signature = sigs.get(selfSigning.keyId());
        if (signature == null) throw CrossSigning.invalidSignature("No signature by the self-signing key");
        JsonNode device = deviceKeys.forUser(dsl, userId, List.of(keyId)).stream().findFirst()
                .map(d -> KeyJson.stored(d.keyJson())).orElseThrow(() -> MatrixException.notFound("Unknown device"));
        requireSameKey(signed, (ObjectNode) device);
        if (!CrossSigning.verify(signed, userId, selfSigning.keyId(), selfSigning.publicKey())) {
            throw CrossSigning.invalidSignature("Invalid signature");
        }
        return List.of(new Signature(selfSigning.keyId(), userId, keyId, signature.textValue()));
    }

    /** Another user's master key signed by the requester's user-signing key. */
    private Signature otherUsersMasterKey(DSLContext dsl, String userId, String target, String keyId, ObjectNode signed) {
        if (!MatrixIds.isValidUserId(target)) throw MatrixException.invalidParam("Invalid user ID");
        if (!MatrixIds.serverName(target).equals(serverName)) {
            throw new MatrixException(ErrCode.NOT_FOUND, 404, "Keys of users on other servers are not available (no federation)");
        }
        CrossSigning.Key userSigning = stored(dsl, userId, CrossSigning.USER_SIGNING);
        if (userSigning == null) throw MatrixException.notFound("No user-signing key found for " + userId);
        CrossSigning.Key master = stored(dsl, target, CrossSigning.MASTER);
        if (master == null || !master.publicKeyId().equals(keyId)) throw MatrixException.notFound("Unknown key");
        JsonNode signature = signaturesBy(signed, userId).get(userSigning.keyId());
        if (signature == null) throw CrossSigning.invalidSignature("No signature by the user-signing key");
        requireSameKey(signed, master.json());
        if (!CrossSigning.verify(signed, userId, userSigning.keyId(), userSigning.publicKey())) {
            throw CrossSigning.invalidSignature("Invalid signature");
        }
        return new Signature(userSigning.keyId(), target, keyId, signature.textValue());
    }

    private static ObjectNode signaturesBy(ObjectNode signed, String userId) {
        KeyJson.checkSignatures(signed.get("signatures"), "signatures", false);
        JsonNode sigs = signed.path("signatures").get(userId);
        if (!(sigs instanceof ObjectNode object) || object.isEmpty()) throw CrossSigning.invalidSignature("No signature by " + userId);
        return object;
    }

    private static void requireSameKey(ObjectNode signed, ObjectNode stored) {
        if (!KeyJson.unsignedPart(signed).equals(KeyJson.unsignedPart(stored))) {
            throw MatrixException.invalidParam("Key does not match the stored key");
        }
    }

    private CrossSigning.Key stored(DSLContext dsl, String userId, String type) {
        return crossSigningKeys.find(dsl, userId, type)
                .map(r -> CrossSigning.fromStored((ObjectNode) KeyJson.stored(r.getKeyJson()), type))
                .orElse(null);
    }
}
