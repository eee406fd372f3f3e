package org.callhs.core.s2s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.callhs.core.e2e.KeyService;
import org.callhs.core.spi.LocalDevices;
import org.callhs.core.spi.LocalDirectory;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.DeviceRepository;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.storage.schema.tables.records.DevicesRecord;
import org.callhs.core.sync.Streams;
import org.callhs.core.todevice.ToDeviceService;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * This server's own users, aliases, devices and keys as the Server-Server API serves them, and
 * the inbox for other servers' to-device messages. Only local users are ever answered for:
 * whatever else a remote request names is left out, so a remote query never makes this
 * server ask a third one. Device display names are not shared with other servers (Synapse's
 * default too): they often name people's hardware and places.
 */
public final class LocalServerData implements LocalDirectory, LocalDevices {
    private final String serverName;
    private final Database database;
    private final UserRepository users;
    private final ProfileRepository profiles;
    private final RoomAliasRepository aliases;
    private final CurrentStateRepository currentState;
    private final DeviceRepository devices;
    private final KeyService keys;
    private final ToDeviceService toDevice;
    private final java.util.function.Consumer<String> remoteDeviceListChanged;

    @Override
    public void remoteDeviceListChanged(String userId) {
        if (!isLocal(userId)) remoteDeviceListChanged.accept(userId);
    }

    public LocalServerData(String serverName, Database database, UserRepository users, ProfileRepository profiles,
                           RoomAliasRepository aliases, CurrentStateRepository currentState, DeviceRepository devices,
                           KeyService keys, ToDeviceService toDevice, java.util.function.Consumer<String> remoteDeviceListChanged) {
        this.remoteDeviceListChanged = remoteDeviceListChanged;
        this.serverName = serverName;
        this.database = database;
        this.users = users;
        this.profiles = profiles;
        this.aliases = aliases;
        this.currentState = currentState;
        this.devices = devices;
        this.keys = keys;
        this.toDevice = toDevice;
    }

    private boolean isLocal(String userId) {
        return MatrixIds.isValidUserId(userId) && MatrixIds.serverName(userId).equals(serverName);
    }

    @Override
    public Optional<ObjectNode> profile(String userId) {
        if (!isLocal(userId)) return Optional.empty();
        DSLContext dsl = database.dsl();
        if (users.find(dsl, userId).isEmpty()) return Optional.empty();
        ObjectNode body = Json.object();
        profiles.find(dsl, userId).ifPresent(p -> {
            if (p.getDisplayname() != null) body.put("displayname", p.getDisplayname());
            if (p.getAvatarUrl() != null) body.put("avatar_url", p.getAvatarUrl());
        });
        return Optional.of(body);
    }

    @Override
    public Optional<String> roomIdForAlias(String alias) {
        return aliases.roomId(database.dsl(), alias);
    }

    @Override
    public Set<String> serversSharingRoomWith(String userId) {
        DSLContext dsl = database.dsl();
        Set<String> servers = new TreeSet<>();
        for (String member : currentState.joinedUsers(dsl, currentState.roomsWithMembership(dsl, userId, "join"))) {
            String server = MatrixIds.serverName(member);
            if (!server.equals(serverName)) servers.add(server);
        }
        return servers;
    }

    @Override
    public ObjectNode queryKeys(ObjectNode deviceKeys) {
        ObjectNode localOnly = Json.object();
        deviceKeys.fields().forEachRemaining(e -> {
            if (isLocal(e.getKey()) && e.getValue().isArray()) localOnly.set(e.getKey(), e.getValue());
        });
        ObjectNode request = Json.object();
        request.set("device_keys", localOnly);
        // No requesting user on this server: the answer carries no per-requester signatures.
        ObjectNode answer = keys.query("", request);
        // Device names stay private to the user's own server, as Synapse's default
        // (allow_device_name_lookup_over_federation: false) keeps them.
        answer.path("device_keys").forEach(user -> user.forEach(device -> {
            if (device instanceof ObjectNode d) d.remove("unsigned");
        }));
        ObjectNode response = Json.object();
        response.set("device_keys", answer.get("device_keys"));
        response.set("master_keys", answer.get("master_keys"));
        response.set("self_signing_keys", answer.get("self_signing_keys"));
        return response;
    }

    @Override
    public ObjectNode claimKeys(ObjectNode oneTimeKeys) {
        ObjectNode localOnly = Json.object();
        oneTimeKeys.fields().forEachRemaining(e -> {
            if (isLocal(e.getKey()) && e.getValue().isObject()) localOnly.set(e.getKey(), e.getValue());
        });
        ObjectNode request = Json.object();
        request.set("one_time_keys", localOnly);
        ObjectNode answer = keys.claim(request);
        ObjectNode response = Json.object();
        response.set("one_time_keys", answer.get("one_time_keys"));
        return response;
    }

    @Override
    public Optional<ObjectNode> userDevices(String userId) {
        if (!isLocal(userId)) return Optional.empty();
        DSLContext dsl = database.dsl();
        if (users.find(dsl, userId).isEmpty()) return Optional.empty();
        long streamId = new StreamPositionRepository().current(dsl, Streams.DEVICE_LISTS);
        ObjectNode query = Json.object();
        query.putArray(userId);
        ObjectNode known = queryKeys(query);
        JsonNode deviceKeys = known.path("device_keys").path(userId);
        ObjectNode body = Json.object();
        body.put("user_id", userId);
        body.put("stream_id", streamId);
        ArrayNode list = body.putArray("devices");
        for (DevicesRecord device : devices.list(dsl, userId)) {
            ObjectNode entry = list.addObject();
            entry.put("device_id", device.getDeviceId());
            JsonNode keysOfDevice = deviceKeys.get(device.getDeviceId());
            if (keysOfDevice instanceof ObjectNode k) {
                ObjectNode copy = k.deepCopy();
                copy.remove("unsigned");
                entry.set("keys", copy);
            }
        }
        if (known.path("master_keys").has(userId)) body.set("master_key", known.get("master_keys").get(userId));
        if (known.path("self_signing_keys").has(userId)) body.set("self_signing_key", known.get("self_signing_keys").get(userId));
        return Optional.of(body);
    }

    @Override
    public boolean deliverToDevice(String sender, String type, String messageId, ObjectNode messages) {
        return toDevice.deliverRemote(sender, type, messageId, messages);
    }
}
