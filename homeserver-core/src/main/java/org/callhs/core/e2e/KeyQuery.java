package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CrossSigningKeyRepository;
import org.callhs.core.storage.repo.CrossSigningSignatureRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository.DeviceKeys;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.storage.schema.tables.records.E2eCrossSigningKeysRecord;
import org.callhs.core.storage.schema.tables.records.E2eCrossSigningSignaturesRecord;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * {@code POST /keys/query}: device keys and cross-signing keys of local users.
 *
 * <ul>
 * <li>Device keys are served as uploaded, with {@code unsigned.device_display_name} from the
 *     device, and the signatures the owner later uploaded for them (self-signing key) merged in.
 * <li>Cross-signing keys carry the signatures the <em>requester</em> made on them (as Synapse
 *     does: a user's signature on someone else's master key is only shown to that user).
 *     {@code user_signing_keys} holds only the requester's own key.
 * <li>Unknown users and users with invalid IDs are absent; users on other servers are reported
 *     asked of their servers ({@code RemoteServers#queryKeys}, all at once, within the
 *     request's {@code timeout}); a server that fails is reported under {@code failures}.
 * </ul>
 */
public final class KeyQuery {
    private final String serverName;
    private final Database database;
    private final UserRepository users;
    private final DeviceKeyRepository deviceKeys;
    private final CrossSigningKeyRepository crossSigningKeys;
    private final CrossSigningSignatureRepository signatures;
    private final org.callhs.core.spi.RemoteServers remote;

    public KeyQuery(String serverName, Database database, UserRepository users, DeviceKeyRepository deviceKeys,
                    CrossSigningKeyRepository crossSigningKeys, CrossSigningSignatureRepository signatures,
                    org.callhs.core.spi.RemoteServers remote) {
        this.remote = remote;
        this.serverName = serverName;
        this.database = database;
        this.users = users;
        this.deviceKeys = deviceKeys;
        this.crossSigningKeys = crossSigningKeys;
        this.signatures = signatures;
    }

    /** The failure reported for a server we cannot ask (federation is not implemented yet). */
    static ObjectNode federationUnavailable() {
        return Json.object().put("status", 503).put("message", "Federation is not available on this server");
    }

    public ObjectNode query(String requester, ObjectNode body) {
        ObjectNode query = KeyJson.requireObject(body, "device_keys");
        Map<String, List<String>> local = new LinkedHashMap<>();
        Map<String, ObjectNode> remoteQueries = new LinkedHashMap<>();
        ObjectNode failures = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = query.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!entry.getValue().isArray()) throw MatrixException.badJson("device_keys values must be arrays of device IDs");
            List<String> deviceIds = new ArrayList<>();
            for (JsonNode id : entry.getValue()) {
                if (!id.isTextual()) throw MatrixException.badJson("device_keys values must be arrays of device IDs");
                deviceIds.add(id.textValue());
            }
            String userId = entry.getKey();
            if (!MatrixIds.isValidUserId(userId)) continue;
            String server = MatrixIds.serverName(userId);
            if (server.equals(serverName)) {
                local.put(userId, deviceIds);
            } else if (!remote.available()) {
                failures.set(server, federationUnavailable());
            } else {
                var devicesAsked = remoteQueries.computeIfAbsent(server, s -> Json.object()).putArray(userId);
                deviceIds.forEach(devicesAsked::add);
            }
        }
        long timeout = RemoteKeyRequests.timeout(body);
        RemoteKeyRequests.Results fromRemote = RemoteKeyRequests.ask(remoteQueries, timeout,
                (server, q) -> remote.queryKeys(server, q, timeout));
        failures.setAll(fromRemote.failures());
        DSLContext dsl = database.dsl();
        ObjectNode devices = Json.object();
        for (Map.Entry<String, List<String>> entry : local.entrySet()) {
            String userId = entry.getKey();
            if (users.find(dsl, userId).isEmpty()) continue;
            devices.set(userId, deviceKeysOf(dsl, userId, entry.getValue()));
        }
        ObjectNode response = Json.object();
        response.set("device_keys", devices);
        response.set("failures", failures);
        addCrossSigningKeys(dsl, requester, local.keySet(), response);
        fromRemote.answers().forEach((server, answer) -> mergeRemote(server, answer, remoteQueries.get(server), response));
        return response;
    }

    /** Copies a remote server's answer in, keeping only users of that server that were asked about. */
    private static void mergeRemote(String server, ObjectNode answer, ObjectNode asked, ObjectNode response) {
        for (String section : List.of("device_keys", "master_keys", "self_signing_keys")) {
            JsonNode part = answer.get(section);
            if (!(part instanceof ObjectNode object)) continue;
            ObjectNode target = (ObjectNode) response.get(section);
            object.fields().forEachRemaining(e -> {
                if (asked.has(e.getKey()) && e.getValue().isObject()) target.set(e.getKey(), e.getValue());
            });
        }
    }

    private ObjectNode deviceKeysOf(DSLContext dsl, String userId, List<String> deviceIds) {
        ObjectNode result = Json.object();
        List<DeviceKeys> rows = deviceKeys.forUser(dsl, userId, deviceIds);
        if (rows.isEmpty()) return result;
        List<E2eCrossSigningSignaturesRecord> own = signatures.byOwner(dsl, userId);
        for (DeviceKeys row : rows) {
            ObjectNode keys = (ObjectNode) KeyJson.stored(row.keyJson());
            mergeSignatures(keys, own, userId, row.deviceId());
            ObjectNode unsigned = keys.putObject("unsigned");
            if (row.displayName() != null) unsigned.put("device_display_name", row.displayName());
            result.set(row.deviceId(), keys);
        }
        return result;
    }

    private void addCrossSigningKeys(DSLContext dsl, String requester, java.util.Set<String> userIds, ObjectNode response) {
        ObjectNode master = response.putObject("master_keys");
        ObjectNode selfSigning = response.putObject("self_signing_keys");
        ObjectNode userSigning = response.putObject("user_signing_keys");
        if (userIds.isEmpty()) return;
        List<E2eCrossSigningSignaturesRecord> byRequester = signatures.bySigner(dsl, requester, userIds);
        for (E2eCrossSigningKeysRecord key : crossSigningKeys.forUsers(dsl, userIds)) {
            ObjectNode json = (ObjectNode) KeyJson.stored(key.getKeyJson());
            mergeSignatures(json, byRequester, key.getUserId(), key.getPublicKey());
            switch (key.getKeyType()) {
                case CrossSigning.MASTER -> master.set(key.getUserId(), json);
                case CrossSigning.SELF_SIGNING -> selfSigning.set(key.getUserId(), json);
                case CrossSigning.USER_SIGNING -> {
                    if (key.getUserId().equals(requester)) userSigning.set(key.getUserId(), json);
                }
                default -> { }
            }
        }
    }

    /** Adds the stored signatures on ({@code targetUserId}, {@code targetKeyId}) to the object's {@code signatures}. */
    static void mergeSignatures(ObjectNode object, List<E2eCrossSigningSignaturesRecord> rows, String targetUserId, String targetKeyId) {
        for (E2eCrossSigningSignaturesRecord sig : rows) {
            if (!sig.getTargetUserId().equals(targetUserId) || !sig.getTargetKeyId().equals(targetKeyId)) continue;
            ObjectNode all = KeyJson.child(object, "signatures");
            KeyJson.child(all, sig.getSignerUserId()).put(sig.getSignerKeyId(), sig.getSignature());
        }
    }
}
