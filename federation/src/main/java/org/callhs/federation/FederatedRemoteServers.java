package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.LocalDevices;
import org.callhs.core.spi.LocalDirectory;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * How core's client endpoints reach other servers: profile and alias queries (profiles cached
 * for {@link #PROFILE_CACHE}), key queries (tracked users from the device-list cache, the rest
 * asked), key claims, and EDUs through the durable queue. A local user's device-list change is
 * announced to every server sharing a room with them, with an empty {@code prev_id} so the
 * receiver resyncs through {@code /user/devices} rather than trusting a chain it may have missed.
 */
final class FederatedRemoteServers implements RemoteServers {
    static final Duration PROFILE_CACHE = Duration.ofMinutes(1);

    private final FederationClient client;
    private final OutboundQueue queue;
    private final RemoteDeviceLists deviceLists;
    private final Supplier<LocalDirectory> directory;
    private final Supplier<LocalDevices> devices;
    private final org.callhs.core.storage.Database database;
    private final FederationConfig config;
    private final MediaFetcher media;
    private final Cache<String, ObjectNode> profiles = Caffeine.newBuilder().expireAfterWrite(PROFILE_CACHE).maximumSize(10_000).build();

    FederatedRemoteServers(FederationClient client, OutboundQueue queue, RemoteDeviceLists deviceLists, Supplier<LocalDirectory> directory,
                           Supplier<LocalDevices> devices, org.callhs.core.storage.Database database, FederationConfig config) {
        this.client = client;
        this.media = new MediaFetcher(client);
        this.queue = queue;
        this.deviceLists = deviceLists;
        this.directory = directory;
        this.devices = devices;
        this.database = database;
        this.config = config;
    }

    @Override
    public void fetchMedia(String server, String mediaId, long timeoutMs, MediaSink sink) throws java.io.IOException {
        media.fetch(server, mediaId, timeoutMs, sink);
    }

    /** A send_join answers with the room's whole state: a big room takes a while to assemble and carry. */
    private static final long JOIN_TIMEOUT_MS = 120_000;

    @Override
    public ObjectNode profile(String userId, String field) {
        ObjectNode cached = profiles.getIfPresent(userId);
        if (cached != null) return cached.deepCopy();
        try {
            JsonNode answer = client.request(MatrixIds.serverName(userId), "GET", "/_matrix/federation/v1/query/profile?user_id=" + Paths.query(userId),
                    null, config.requestTimeoutMs());
            ObjectNode profile = Json.object();
            if (answer.path("displayname").isTextual()) profile.set("displayname", answer.get("displayname"));
            if (answer.path("avatar_url").isTextual()) profile.set("avatar_url", answer.get("avatar_url"));
            profiles.put(userId, profile);
            return profile.deepCopy();
        } catch (FederationException e) {
            throw e.toClientError("Profile");
        }
    }

    @Override
    public String openIdUserInfo(String server, String accessToken) {
        JsonNode answer;
        try {
            answer = client.getUnsigned(server, "/_matrix/federation/v1/openid/userinfo?access_token=" + Paths.query(accessToken),
                    config.requestTimeoutMs());
        } catch (FederationException e) {
            if (e.kind() == FederationException.Kind.HTTP_ERROR && e.status() == 401) {
                throw new MatrixException(ErrCode.UNKNOWN_TOKEN, 401, "The OpenID token is unknown to " + server);
            }
            throw e.toClientError("OpenID user info");
        }
        String sub = answer.path("sub").isTextual() ? answer.get("sub").textValue() : null;
        // A server vouches for its own users only.
        if (sub == null || !MatrixIds.isValidUserId(sub) || !MatrixIds.serverName(sub).equals(server)) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "The OpenID user info of " + server + " names no user of that server");
        }
        return sub;
    }

    @Override
    public ObjectNode resolveAlias(String alias) {
        try {
            JsonNode answer = client.request(MatrixIds.serverName(alias), "GET",
                    "/_matrix/federation/v1/query/directory?room_alias=" + Paths.query(alias), null, config.requestTimeoutMs());
            if (!answer.path("room_id").isTextual()) {
                throw new FederationException(FederationException.Kind.BAD_RESPONSE, 200, answer, "no room_id in the answer");
            }
            ObjectNode body = Json.object().put("room_id", answer.get("room_id").textValue());
            var servers = body.putArray("servers");
            answer.path("servers").forEach(s -> {
                if (s.isTextual()) servers.add(s);
            });
            return body;
        } catch (FederationException e) {
            throw e.toClientError("Room alias");
        }
    }

    @Override
    public ObjectNode makeMembership(String server, String roomId, String userId, String membership, List<String> versions) {
        StringBuilder target = new StringBuilder("/_matrix/federation/v1/make_" + membership + "/" + Paths.segment(roomId) + "/"
                + Paths.segment(userId));
        if (!membership.equals("leave")) {
            char sep = '?';
            for (String version : versions) {
                target.append(sep).append("ver=").append(Paths.query(version));
                sep = '&';
            }
        }
        try {
            JsonNode answer = client.request(server, "GET", target.toString(), null, config.requestTimeoutMs());
            if (!answer.isObject() || !answer.path("event").isObject()) {
                throw new FederationException(FederationException.Kind.BAD_RESPONSE, 200, answer, "no event template in the answer");
            }
            return (ObjectNode) answer;
        } catch (FederationException e) {
            throw e.toRemoteError("make_" + membership);
        }
    }

    @Override
    public ObjectNode sendMembership(String server, String roomId, String eventId, String membership, ObjectNode event) {
        String version = membership.equals("knock") ? "v1" : "v2";
        String target = "/_matrix/federation/" + version + "/send_" + membership + "/" + Paths.segment(roomId) + "/" + Paths.segment(eventId);
        try {
            JsonNode answer = client.request(server, "PUT", target, event, Math.max(config.requestTimeoutMs(), JOIN_TIMEOUT_MS));
            if (!answer.isObject()) throw new FederationException(FederationException.Kind.BAD_RESPONSE, 200, answer, "the answer is not an object");
            return (ObjectNode) answer;
        } catch (FederationException e) {
            throw e.toRemoteError("send_" + membership);
        }
    }

    @Override
    public ObjectNode publicRooms(String server, int limit, String since, String searchTerm) {
        ObjectNode body = Json.object().put("limit", limit);
        if (since != null) body.put("since", since);
        if (searchTerm != null && !searchTerm.isEmpty()) body.putObject("filter").put("generic_search_term", searchTerm);
        try {
            JsonNode answer = client.request(server, "POST", "/_matrix/federation/v1/publicRooms", body, config.requestTimeoutMs());
            if (!answer.isObject() || !answer.path("chunk").isArray()) {
                throw new FederationException(FederationException.Kind.BAD_RESPONSE, 200, answer, "no chunk in the answer");
            }
            return (ObjectNode) answer;
        } catch (FederationException e) {
            throw e.toRemoteError("the public room directory");
        }
    }

    @Override
    public ObjectNode sendInvite(String server, String roomId, String eventId, ObjectNode body) {
        String target = "/_matrix/federation/v2/invite/" + Paths.segment(roomId) + "/" + Paths.segment(eventId);
        try {
            JsonNode answer = client.request(server, "PUT", target, body, config.requestTimeoutMs());
            if (!answer.isObject() || !answer.path("event").isObject()) {
                throw new FederationException(FederationException.Kind.BAD_RESPONSE, 200, answer, "no event in the answer");
            }
            return (ObjectNode) answer;
        } catch (FederationException e) {
            throw e.toRemoteError("invite");
        }
    }

    @Override
    public ObjectNode queryKeys(String server, ObjectNode deviceKeys, long timeoutMs) {
        ObjectNode answer = Json.object();
        ObjectNode deviceSection = answer.putObject("device_keys");
        ObjectNode master = answer.putObject("master_keys");
        ObjectNode selfSigning = answer.putObject("self_signing_keys");
        ObjectNode toAsk = Json.object();
        deviceKeys.fields().forEachRemaining(e -> {
            List<String> ids = new ArrayList<>();
            e.getValue().forEach(d -> ids.add(d.asText()));
            var cached = deviceLists.cached(e.getKey(), ids);
            if (cached.isPresent()) {
                merge(cached.get(), deviceSection, master, selfSigning);
            } else {
                toAsk.set(e.getKey(), e.getValue());
            }
        });
        if (!toAsk.isEmpty()) {
            ObjectNode request = Json.object();
            request.set("device_keys", toAsk);
            try {
                merge(client.request(server, "POST", "/_matrix/federation/v1/user/keys/query", request, timeoutMs),
                        deviceSection, master, selfSigning);
            } catch (FederationException e) {
                throw e.toClientError("Keys");
            }
        }
        return answer;
    }

    private static void merge(JsonNode from, ObjectNode devices, ObjectNode master, ObjectNode selfSigning) {
        if (from.get("device_keys") instanceof ObjectNode d) devices.setAll(d);
        if (from.get("master_keys") instanceof ObjectNode m) master.setAll(m);
        if (from.get("self_signing_keys") instanceof ObjectNode s) selfSigning.setAll(s);
    }

    @Override
    public ObjectNode claimKeys(String server, ObjectNode oneTimeKeys, long timeoutMs) {
        ObjectNode request = Json.object();
        request.set("one_time_keys", oneTimeKeys);
        try {
            JsonNode answer = client.request(server, "POST", "/_matrix/federation/v1/user/keys/claim", request, timeoutMs);
            return answer instanceof ObjectNode o ? o : Json.object();
        } catch (FederationException e) {
            throw e.toClientError("One-time keys");
        }
    }

    @Override
    public void enqueueEdu(DSLContext tx, String destination, String eduType, ObjectNode content) {
        if (!ServerName.isValid(destination)) {
            throw org.callhs.core.error.MatrixException.invalidParam("Cannot send to server " + destination + ": not a valid server name");
        }
        queue.enqueueEdu(tx, destination, eduType, content);
    }

    @Override
    public void flush(Collection<String> destinations) {
        queue.wake(destinations);
    }

    @Override
    public void deviceListChanged(String userId) {
        Set<String> servers = directory.get().serversSharingRoomWith(userId);
        if (servers.isEmpty()) return;
        ObjectNode list = devices.get().userDevices(userId).orElse(null);
        if (list == null) return;
        database.transaction(tx -> {
            for (String server : servers) {
                for (JsonNode device : list.path("devices")) {
                    ObjectNode edu = Json.object();
                    edu.put("user_id", userId);
                    edu.put("device_id", device.path("device_id").asText());
                    edu.put("stream_id", list.path("stream_id").asLong());
                    edu.putArray("prev_id");
                    if (device.has("keys")) edu.set("keys", device.get("keys"));
                    if (device.has("device_display_name")) edu.set("device_display_name", device.get("device_display_name"));
                    queue.enqueueEdu(tx, server, "m.device_list_update", edu);
                }
                if (list.has("master_key") || list.has("self_signing_key")) {
                    ObjectNode edu = Json.object().put("user_id", userId);
                    if (list.has("master_key")) edu.set("master_key", list.get("master_key"));
                    if (list.has("self_signing_key")) edu.set("self_signing_key", list.get("self_signing_key"));
                    queue.enqueueEdu(tx, server, "m.signing_key_update", edu);
                }
            }
            return null;
        });
        queue.wake(servers);
    }
}
