package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CrossSigningSignatureRepository;
import org.callhs.core.storage.repo.DeviceKeyRepository;
import org.callhs.core.storage.repo.FallbackKeyRepository;
import org.callhs.core.storage.repo.OneTimeKeyRepository;
import org.callhs.core.storage.repo.OneTimeKeyRepository.NewKey;
import org.callhs.core.storage.schema.tables.records.E2eFallbackKeysRecord;
import org.callhs.core.storage.schema.tables.records.E2eOneTimeKeysRecord;
import org.callhs.core.sync.EncryptionSyncSource;
import org.callhs.core.sync.SyncToken;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * Device keys, one-time keys and fallback keys ({@code /keys/upload}, {@code /keys/query},
 * {@code /keys/claim}), and the reads {@code /sync} makes: one-time key counts, unused
 * fallback key types and device-list changes.
 *
 * <p>Limits: at most {@value #MAX_ONE_TIME_KEYS_PER_UPLOAD} one-time keys per upload, and at
 * most {@value #MAX_STORED_ONE_TIME_KEYS} unclaimed one-time keys per device (clients keep about
 * 50 on the server); more is 400 {@code M_INVALID_PARAM}.
 */
public final class KeyService implements EncryptionSyncSource {
    /** Per device: one-time key counts and unused fallback key types, as every /sync reports them; dropped on upload and claim. */
    private record SyncKeyState(Map<String, Integer> counts, List<String> unusedFallback) {}

    private final com.github.benmanes.caffeine.cache.Cache<String, SyncKeyState> syncState = com.github.benmanes.caffeine.cache.Caffeine
            .newBuilder().maximumSize(100_000).build();

    /** Most one-time keys accepted in one {@code /keys/upload} request. */
    public static final int MAX_ONE_TIME_KEYS_PER_UPLOAD = 1000;
    /** Most unclaimed one-time keys a device may hold. */
    public static final int MAX_STORED_ONE_TIME_KEYS = 10_000;

    private final String serverName;
    private final Database database;
    private final DeviceKeyRepository deviceKeys;
    private final OneTimeKeyRepository oneTimeKeys;
    private final FallbackKeyRepository fallbackKeys;
    private final CrossSigningSignatureRepository signatures;
    private final KeyQuery keyQuery;
    private final DeviceListUpdates deviceLists;
    private final DeviceListTracker tracker;
    private final org.callhs.core.spi.RemoteServers remote;
    private final Clock clock;
    private final org.callhs.core.cluster.CacheInvalidations invalidations;
    /** The name of {@link #syncState}'s evictions between instances (a claim on one instance changes the counts). */
    static final String CACHE = "one_time_key_counts";

    public KeyService(String serverName, Database database, DeviceKeyRepository deviceKeys, OneTimeKeyRepository oneTimeKeys,
                      FallbackKeyRepository fallbackKeys, CrossSigningSignatureRepository signatures, KeyQuery keyQuery,
                      DeviceListUpdates deviceLists, DeviceListTracker tracker, Clock clock, org.callhs.core.spi.RemoteServers remote,
                      org.callhs.core.cluster.CacheInvalidations invalidations) {
        this.invalidations = invalidations;
        invalidations.register(CACHE, keys -> {
            if (keys.isEmpty()) syncState.invalidateAll(); else syncState.invalidateAll(keys);
        });
        this.remote = remote;
        this.serverName = serverName;
        this.database = database;
        this.deviceKeys = deviceKeys;
        this.oneTimeKeys = oneTimeKeys;
        this.fallbackKeys = fallbackKeys;
        this.signatures = signatures;
        this.keyQuery = keyQuery;
        this.deviceLists = deviceLists;
        this.tracker = tracker;
        this.clock = clock;
    }

    /** A parsed, checked {@code /keys/upload} body. */
    private record Upload(ObjectNode deviceKeys, List<NewKey> oneTimeKeys, List<NewKey> fallbackKeys) {}

    /**
     * Stores the uploaded keys of the requester's device in one transaction and returns the
     * unclaimed one-time key counts. Device keys that differ from the stored ones are a
     * device-list change; a replaced fallback key starts unused (the same key again keeps its
     * flag); a one-time key ID that exists with other content is 400.
     */
    public Map<String, Integer> upload(String userId, String deviceId, ObjectNode body) {
        Upload upload = parseUpload(userId, deviceId, body);
        long now = clock.millis();
        long[] position = {0};
        Map<String, Integer> counts = database.transaction(tx -> {
            if (upload.deviceKeys() != null) position[0] = storeDeviceKeys(tx, userId, deviceId, upload.deviceKeys(), now);
            storeOneTimeKeys(tx, userId, deviceId, upload.oneTimeKeys(), now);
            for (NewKey key : upload.fallbackKeys()) {
                Optional<E2eFallbackKeysRecord> existing = fallbackKeys.find(tx, userId, deviceId, key.algorithm());
                boolean same = existing.isPresent() && existing.get().getKeyId().equals(key.keyId())
                        && existing.get().getKeyJson().equals(key.keyJson());
                if (!same) fallbackKeys.replace(tx, userId, deviceId, key.algorithm(), key.keyId(), key.keyJson());
            }
            return counts(tx, userId, deviceId);
        });
        invalidations.invalidate(CACHE, List.of(userId + "|" + deviceId));
        if (position[0] > 0) deviceLists.published(userId, position[0]);
        return counts;
    }

    private long storeDeviceKeys(DSLContext tx, String userId, String deviceId, ObjectNode keys, long now) {
        String json = KeyJson.canonical(keys);
        Optional<String> existing = deviceKeys.find(tx, userId, deviceId);
        if (existing.isPresent() && existing.get().equals(json)) return 0;
        if (existing.isPresent()) {
            ObjectNode before = (ObjectNode) KeyJson.stored(existing.get());
            // Signatures by the self-signing key cover the old keys; they no longer hold.
            if (!KeyJson.unsignedPart(before).equals(KeyJson.unsignedPart(keys))) {
                signatures.deleteForTargets(tx, userId, List.of(deviceId));
            }
        }
        deviceKeys.upsert(tx, userId, deviceId, json, now);
        return deviceLists.append(tx, userId);
    }

    private void storeOneTimeKeys(DSLContext tx, String userId, String deviceId, List<NewKey> keys, long now) {
        if (keys.isEmpty()) return;
        Map<String, E2eOneTimeKeysRecord> existing = new TreeMap<>();
        for (E2eOneTimeKeysRecord r : oneTimeKeys.findByKeyIds(tx, userId, deviceId, keys.stream().map(NewKey::keyId).toList())) {
            existing.put(r.getAlgorithm() + ":" + r.getKeyId(), r);
        }
        List<NewKey> fresh = new ArrayList<>();
        for (NewKey key : keys) {
            E2eOneTimeKeysRecord old = existing.get(key.algorithm() + ":" + key.keyId());
            if (old == null) {
                fresh.add(key);
            } else if (!sameOneTimeKey(old.getKeyJson(), key.keyJson())) {
                throw MatrixException.invalidParam("One-time key " + KeyJson.abbreviate(key.algorithm() + ":" + key.keyId())
                        + " already exists with different content");
            }
        }
        int stored = oneTimeKeys.countByAlgorithm(tx, userId, deviceId).values().stream().mapToInt(Integer::intValue).sum();
        if (stored + fresh.size() > MAX_STORED_ONE_TIME_KEYS) {
            throw MatrixException.invalidParam("Too many unclaimed one-time keys for this device (at most "
                    + MAX_STORED_ONE_TIME_KEYS + ")");
        }
        oneTimeKeys.insertAll(tx, userId, deviceId, fresh, now);
    }

    /** Two uploads of the same key ID match when they are equal apart from their signatures (as Synapse compares them). */
    private static boolean sameOneTimeKey(String storedJson, String newJson) {
        JsonNode stored = KeyJson.stored(storedJson);
        JsonNode fresh = KeyJson.stored(newJson);
        if (stored instanceof ObjectNode a && fresh instanceof ObjectNode b) {
            ObjectNode x = a.deepCopy();
            ObjectNode y = b.deepCopy();
            x.remove("signatures");
            y.remove("signatures");
            return x.equals(y);
        }
        return stored.equals(fresh);
    }

    private static Upload parseUpload(String userId, String deviceId, ObjectNode body) {
        ObjectNode device = KeyJson.optionalObject(body, "device_keys");
        if (device != null) {
            String uid = KeyJson.requireString(device, "user_id", "device_keys");
            String did = KeyJson.requireString(device, "device_id", "device_keys");
            JsonNode algorithms = device.get("algorithms");
            if (algorithms == null || !algorithms.isArray()) throw MatrixException.badJson("device_keys.algorithms must be an array of strings");
            algorithms.forEach(a -> {
                if (!a.isTextual()) throw MatrixException.badJson("device_keys.algorithms must be an array of strings");
            });
            KeyJson.requireStringMap(device, "keys", "device_keys");
            KeyJson.checkSignatures(device.get("signatures"), "device_keys", true);
            if (!uid.equals(userId)) throw MatrixException.invalidParam("device_keys.user_id does not match the authenticated user");
            if (!did.equals(deviceId)) throw MatrixException.invalidParam("device_keys.device_id does not match the authenticated device");
        }
        ObjectNode otks = KeyJson.optionalObject(body, "one_time_keys");
        if (otks != null && otks.size() > MAX_ONE_TIME_KEYS_PER_UPLOAD) {
            throw MatrixException.invalidParam("Too many one-time keys in one upload (" + otks.size() + "; at most "
                    + MAX_ONE_TIME_KEYS_PER_UPLOAD + ")");
        }
        List<NewKey> oneTime = keys(otks, "one_time_keys");
        List<NewKey> fallback = keys(KeyJson.optionalObject(body, "fallback_keys"), "fallback_keys");
        if (fallback.stream().map(NewKey::algorithm).distinct().count() != fallback.size()) {
            throw MatrixException.invalidParam("fallback_keys may hold at most one key per algorithm");
        }
        return new Upload(device, oneTime, fallback);
    }

    private static List<NewKey> keys(ObjectNode map, String where) {
        if (map == null) return List.of();
        List<NewKey> keys = new ArrayList<>(map.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String[] name = KeyJson.keyName(entry.getKey(), where);
            KeyJson.checkKeyObject(entry.getValue(), where + "." + KeyJson.abbreviate(entry.getKey()));
            keys.add(new NewKey(name[0], name[1], KeyJson.canonical(entry.getValue())));
        }
        return keys;
    }

    /** {@code POST /keys/query}: see {@link KeyQuery}. */
    public ObjectNode query(String requester, ObjectNode body) {
        return keyQuery.query(requester, body);
    }

    /**
     * {@code POST /keys/claim}: for each local device, the oldest unclaimed one-time key of the
     * algorithm (deleted as it is handed out), else the device's fallback key for it (marked
     * used, and handed out again until replaced). Unknown users and devices are left out;
     * users of other servers are claimed from their servers at once, within the request's {@code timeout};
     * a server that fails is reported under {@code failures} by server name.
     */
    public ObjectNode claim(ObjectNode body) {
        ObjectNode query = KeyJson.requireObject(body, "one_time_keys");
        Map<String, Map<String, String>> local = new LinkedHashMap<>();
        Map<String, ObjectNode> remoteClaims = new LinkedHashMap<>();
        ObjectNode failures = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = query.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> user = it.next();
            ObjectNode devices = KeyJson.asObject(user.getValue(), "one_time_keys." + KeyJson.abbreviate(user.getKey()));
            Map<String, String> wanted = new LinkedHashMap<>();
            devices.fields().forEachRemaining(d -> {
                if (!d.getValue().isTextual()) throw MatrixException.badJson("one_time_keys values must map device IDs to algorithm names");
                wanted.put(d.getKey(), d.getValue().textValue());
            });
            if (!MatrixIds.isValidUserId(user.getKey())) continue;
            String server = MatrixIds.serverName(user.getKey());
            if (!server.equals(serverName) && !remote.available()) {
                failures.set(server, KeyQuery.federationUnavailable());
            } else if (!server.equals(serverName)) {
                if (!wanted.isEmpty()) remoteClaims.computeIfAbsent(server, s -> Json.object()).set(user.getKey(), devices);
            } else if (!wanted.isEmpty()) {
                local.put(user.getKey(), wanted);
            }
        }
        ObjectNode claimed = database.transaction(tx -> {
            ObjectNode result = Json.object();
            local.forEach((userId, devices) -> devices.forEach((deviceId, algorithm) -> claimOne(tx, userId, deviceId, algorithm)
                    .ifPresent(key -> KeyJson.child(KeyJson.child(result, userId), deviceId).setAll(key))));
            return result;
        });
        List<String> drained = new ArrayList<>();
        local.forEach((userId, devices) -> devices.keySet().forEach(deviceId -> drained.add(userId + "|" + deviceId)));
        invalidations.invalidate(CACHE, drained);
        long timeout = RemoteKeyRequests.timeout(body);
        RemoteKeyRequests.Results fromRemote = RemoteKeyRequests.ask(remoteClaims, timeout,
                (server, q) -> remote.claimKeys(server, q, timeout));
        failures.setAll(fromRemote.failures());
        fromRemote.answers().forEach((server, answer) -> {
            if (answer.get("one_time_keys") instanceof ObjectNode keys) {
                keys.fields().forEachRemaining(e -> {
                    if (remoteClaims.get(server).has(e.getKey()) && e.getValue().isObject()) claimed.set(e.getKey(), e.getValue());
                });
            }
        });
        ObjectNode response = Json.object();
        response.set("one_time_keys", claimed);
        response.set("failures", failures);
        return response;
    }

    private Optional<ObjectNode> claimOne(DSLContext tx, String userId, String deviceId, String algorithm) {
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<E2eOneTimeKeysRecord> oldest = oneTimeKeys.oldest(tx, userId, deviceId, algorithm);
            if (oldest.isEmpty()) break;
            E2eOneTimeKeysRecord key = oldest.get();
            // 0 rows: a concurrent claim (PostgreSQL) took this key first; take the next one.
            if (oneTimeKeys.delete(tx, userId, deviceId, algorithm, key.getKeyId()) == 1) {
                return Optional.of(Json.object().set(algorithm + ":" + key.getKeyId(), KeyJson.stored(key.getKeyJson())));
            }
        }
        return fallbackKeys.find(tx, userId, deviceId, algorithm).map(fallback -> {
            if (!fallback.getUsed()) fallbackKeys.markUsed(tx, userId, deviceId, algorithm);
            return Json.object().set(algorithm + ":" + fallback.getKeyId(), KeyJson.stored(fallback.getKeyJson()));
        });
    }

    private Map<String, Integer> counts(DSLContext tx, String userId, String deviceId) {
        Map<String, Integer> counts = new TreeMap<>(oneTimeKeys.countByAlgorithm(tx, userId, deviceId));
        counts.putIfAbsent("signed_curve25519", 0);
        return counts;
    }

    /** Unclaimed one-time keys of the device per algorithm, with {@code signed_curve25519} present (0) as Synapse does. */
    @Override
    public Map<String, Integer> oneTimeKeyCounts(String userId, String deviceId) {
        return syncState(userId, deviceId).counts();
    }

    private SyncKeyState syncState(String userId, String deviceId) {
        return syncState.get(userId + "|" + deviceId, key -> new SyncKeyState(counts(database.dsl(), userId, deviceId),
                fallbackKeys.unusedAlgorithms(database.dsl(), userId, deviceId)));
    }

    /** Algorithms of the device's fallback keys that no claim has handed out yet. */
    @Override
    public List<String> unusedFallbackKeyTypes(String userId, String deviceId) {
        return syncState(userId, deviceId).unusedFallback();
    }

    /** User IDs with changes on the device_lists stream in (fromExclusive, toInclusive] that everyone sharing a room sees. */
    public Set<String> deviceListChanges(long fromExclusive, long toInclusive) {
        return tracker.deviceListChanges(fromExclusive, toInclusive);
    }

    /** See {@link DeviceListTracker#sharedRoomUsersChanged}. */
    public Set<String> sharedRoomUsersChanged(String requester, long fromExclusive, long toInclusive) {
        return tracker.sharedRoomUsersChanged(requester, fromExclusive, toInclusive);
    }

    /** The {@code changed} and {@code left} users between two sync tokens; see {@link DeviceListTracker#compute}. */
    @Override
    public DeviceListChanges deviceListChanges(String requester, SyncToken from, SyncToken to) {
        return tracker.compute(requester, from, to);
    }
}
