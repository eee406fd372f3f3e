package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.callhs.core.storage.Database;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.callhs.federation.schema.tables.records.FederationRemoteDeviceListsRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device lists of users on other servers (Server-Server API "Device Management").
 *
 * <p>A user is tracked once their server sends an {@code m.device_list_update} for them (servers
 * send those only to servers that share a room with the user, so they keep coming). A tracked
 * user's list is resynced from {@code GET /user/devices/{userId}} when first seen and whenever an
 * update's {@code prev_id} does not name the last {@code stream_id} we hold (a gap, or an
 * empty {@code prev_id}); otherwise the update is applied as it stands. {@code m.signing_key_update}
 * replaces the cached cross-signing keys. Key queries about tracked users with a fresh list are
 * answered from here; everyone else is asked of their server each time.
 */
final class RemoteDeviceLists {
    private static final Logger log = LoggerFactory.getLogger(RemoteDeviceLists.class);
    private final Database database;
    private final RemoteDeviceRepository repository;
    private final FederationClient client;
    private final FederationConfig config;
    private final Clock clock;
    private final Set<String> resyncing = ConcurrentHashMap.newKeySet();
    private final Set<String> resyncAgain = ConcurrentHashMap.newKeySet();
    /** Users whose running resync has stored its snapshot: an update arriving now is judged against that snapshot. */
    private final Set<String> snapshotStored = ConcurrentHashMap.newKeySet();

    /** Tells core a remote user's list changed, so local users sharing a room see it in device_lists.changed. */
    private volatile java.util.function.Consumer<String> changed = userId -> { };

    void onChange(java.util.function.Consumer<String> listener) { this.changed = listener; }

    RemoteDeviceLists(Database database, RemoteDeviceRepository repository, FederationClient client, FederationConfig config, Clock clock) {
        this.database = database;
        this.repository = repository;
        this.client = client;
        this.config = config;
        this.clock = clock;
    }

    /** {@code m.device_list_update}. */
    void onDeviceListUpdate(String origin, ObjectNode content) {
        String userId = content.path("user_id").asText(null);
        if (userId == null || !MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(origin)) {
            log.info("ignoring a device list update from {} for a user it does not own", origin);
            return;
        }
        if (!content.path("stream_id").canConvertToLong() || !content.path("device_id").isTextual()) {
            log.info("ignoring a malformed device list update from {}", origin);
            return;
        }
        long streamId = content.get("stream_id").asLong();
        if (resyncing.contains(userId) && !snapshotStored.contains(userId)) {
            resyncLater(userId); // a resync is running: its snapshot may predate this update
            return;
        }
        Optional<FederationRemoteDeviceListsRecord> known = repository.list(database.dsl(), userId);
        boolean follows = known.isPresent() && !known.get().getStale() && content.path("prev_id").isArray()
                && !content.get("prev_id").isEmpty();
        if (follows) {
            for (JsonNode prev : content.get("prev_id")) {
                if (!prev.canConvertToLong() || prev.asLong() != known.get().getStreamId()) follows = false;
            }
        }
        if (known.isPresent() && streamId <= known.get().getStreamId() && !known.get().getStale()) return; // old news
        if (!follows) {
            if (known.isPresent()) database.transaction(tx -> { repository.markStale(tx, userId); return null; });
            resyncLater(userId);
            return;
        }
        String deviceId = content.get("device_id").textValue();
        database.transaction(tx -> {
            if (content.path("deleted").asBoolean(false)) {
                repository.deleteDevice(tx, userId, deviceId);
            } else {
                JsonNode keys = content.get("keys");
                repository.putDevice(tx, userId, deviceId, keys instanceof ObjectNode ? Json.write(keys) : null,
                        content.path("device_display_name").asText(null));
            }
            repository.putList(tx, userId, streamId, false, clock.millis());
            return null;
        });
        changed.accept(userId);
    }

    /** {@code m.signing_key_update}. */
    void onSigningKeyUpdate(String origin, ObjectNode content) {
        String userId = content.path("user_id").asText(null);
        if (userId == null || !MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(origin)) return;
        if (repository.list(database.dsl(), userId).isEmpty()) return; // untracked: queries go to the server
        database.transaction(tx -> {
            if (content.get("master_key") instanceof ObjectNode master) repository.putCrossSigning(tx, userId, "master", Json.write(master));
            if (content.get("self_signing_key") instanceof ObjectNode self) {
                repository.putCrossSigning(tx, userId, "self_signing", Json.write(self));
            }
            return null;
        });
        changed.accept(userId);
    }

    /**
     * Resyncs in the background, one at a time per user. An update that arrives while a resync
     * runs, before it stored its snapshot, may be newer than that snapshot, so the user is resynced
     * once more after it; one that arrives after the snapshot is stored is judged against it (applied
     * when it follows the snapshot's {@code stream_id}), with no second resync.
     */
    private void resyncLater(String userId) {
        if (!resyncing.add(userId)) {
            resyncAgain.add(userId);
            return;
        }
        Thread.ofVirtual().name("device-resync").start(() -> {
            try {
                do {
                    resyncAgain.remove(userId);
                    snapshotStored.remove(userId);
                    try {
                        resync(userId);
                    } catch (RuntimeException e) {
                        log.info("device list resync of {} failed: {}", userId, e.getMessage());
                        database.transaction(tx -> { repository.markStale(tx, userId); return null; });
                    }
                } while (resyncAgain.contains(userId));
            } finally {
                resyncing.remove(userId);
                snapshotStored.remove(userId);
                if (resyncAgain.remove(userId)) resyncLater(userId);
            }
        });
    }

    /** Replaces the cached list with the user's server's answer to {@code GET /user/devices/{userId}}. */
    void resync(String userId) {
        JsonNode answer = client.request(MatrixIds.serverName(userId), "GET",
                "/_matrix/federation/v1/user/devices/" + Paths.segment(userId), null, config.requestTimeoutMs());
        if (!userId.equals(answer.path("user_id").asText(null)) || !answer.path("devices").isArray()) {
            throw new FederationException(FederationException.Kind.BAD_RESPONSE, 200, answer, "bad /user/devices answer");
        }
        long streamId = answer.path("stream_id").asLong(0);
        database.transaction(tx -> {
            repository.deleteDevices(tx, userId);
            for (JsonNode device : answer.get("devices")) {
                if (!device.path("device_id").isTextual()) continue;
                JsonNode keys = device.get("keys");
                repository.putDevice(tx, userId, device.get("device_id").textValue(), keys instanceof ObjectNode ? Json.write(keys) : null,
                        device.path("device_display_name").asText(null));
            }
            if (answer.get("master_key") instanceof ObjectNode master) repository.putCrossSigning(tx, userId, "master", Json.write(master));
            if (answer.get("self_signing_key") instanceof ObjectNode self) {
                repository.putCrossSigning(tx, userId, "self_signing", Json.write(self));
            }
            repository.putList(tx, userId, streamId, false, clock.millis());
            return null;
        });
        if (resyncing.contains(userId)) snapshotStored.add(userId);
        changed.accept(userId);
    }

    /**
     * The cached keys of a tracked user with a fresh list, in {@code /user/keys/query} answer
     * shape ({@code device_keys}, {@code master_keys}, {@code self_signing_keys} entries); empty
     * when the user is not tracked or the list is stale.
     */
    Optional<ObjectNode> cached(String userId, List<String> deviceIds) {
        Optional<FederationRemoteDeviceListsRecord> list = repository.list(database.dsl(), userId);
        if (list.isEmpty() || list.get().getStale()) return Optional.empty();
        ObjectNode answer = Json.object();
        ObjectNode devices = answer.putObject("device_keys").putObject(userId);
        repository.devices(database.dsl(), userId).forEach(d -> {
            if (d.getDeviceKeys() == null || (!deviceIds.isEmpty() && !deviceIds.contains(d.getDeviceId()))) return;
            ObjectNode keys = (ObjectNode) Json.parse(d.getDeviceKeys());
            if (d.getDisplayName() != null) keys.putObject("unsigned").put("device_display_name", d.getDisplayName());
            devices.set(d.getDeviceId(), keys);
        });
        answer.putObject("master_keys");
        answer.putObject("self_signing_keys");
        repository.crossSigning(database.dsl(), userId).forEach(k ->
                ((ObjectNode) answer.get("master".equals(k.getKeyType()) ? "master_keys" : "self_signing_keys"))
                        .set(userId, Json.parse(k.getKeyJson())));
        return Optional.of(answer);
    }
}
