package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Supplier;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.LocalDevices;
import org.callhs.core.spi.LocalDirectory;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * Server-Server queries about this server's users and aliases, all X-Matrix signed.
 *
 * <ul>
 * <li>{@code GET /_matrix/federation/v1/query/profile?user_id=&field=}: {@code displayname} and
 *     {@code avatar_url} (only {@code field} when given: 400 {@code M_INVALID_PARAM} for another
 *     field); 404 {@code M_NOT_FOUND} for an unknown user; 400 for a user of another server.
 * <li>{@code GET /_matrix/federation/v1/query/directory?room_alias=}: {@code {room_id, servers}};
 *     404 for an unknown alias or one of another server.
 * <li>{@code GET /_matrix/federation/v1/user/devices/{userId}}: the device list with its
 *     {@code stream_id} (the position our {@code m.device_list_update} EDUs carry) and
 *     cross-signing keys; 404 for an unknown user, 403 for a user of another server.
 * <li>{@code POST /_matrix/federation/v1/user/keys/query} and {@code .../user/keys/claim}: keys of
 *     local users; users of other servers are left out.
 * </ul>
 * Each origin server is rate limited ({@code federation.query_rate_limit}; 429 {@code M_LIMIT_EXCEEDED}).
 * Spec: <a href="https://spec.matrix.org/v1.16/server-server-api/#querying-for-information">Querying for information</a>,
 * <a href="https://spec.matrix.org/v1.16/server-server-api/#end-to-end-encryption">End-to-End Encryption</a>,
 * <a href="https://spec.matrix.org/v1.16/server-server-api/#device-management">Device Management</a>.
 */
final class QueryEndpoints implements Routes {
    /** The per-origin limit class ({@code federation.query_rate_limit}). */
    static final String RATE_LIMIT = "federation_query";
    private final String ourName;
    private final Supplier<LocalDirectory> directory;
    private final Supplier<LocalDevices> devices;

    QueryEndpoints(String ourName, Supplier<LocalDirectory> directory, Supplier<LocalDevices> devices) {
        this.ourName = ourName;
        this.directory = directory;
        this.devices = devices;
    }

    @Override
    public List<Endpoint> endpoints() {
        String p = "/_matrix/federation/v1";
        return List.of(
                new Endpoint("GET", p + "/query/profile", AuthKind.SERVER, RATE_LIMIT, this::profile),
                new Endpoint("GET", p + "/query/directory", AuthKind.SERVER, RATE_LIMIT, this::directory),
                new Endpoint("GET", p + "/user/devices/{userId}", AuthKind.SERVER, RATE_LIMIT, this::userDevices),
                new Endpoint("POST", p + "/user/keys/query", AuthKind.SERVER, RATE_LIMIT, this::keysQuery),
                new Endpoint("POST", p + "/user/keys/claim", AuthKind.SERVER, RATE_LIMIT, this::keysClaim));
    }

    private String localUser(String userId) {
        if (userId == null) throw MatrixException.missingParam("Missing user_id");
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.invalidParam("Invalid user ID " + userId);
        if (!MatrixIds.serverName(userId).equals(ourName)) throw MatrixException.invalidParam("User " + userId + " is not on this server");
        return userId;
    }

    private ApiResponse profile(ApiRequest request) {
        String userId = localUser(request.query("user_id").orElse(null));
        String field = request.query("field").orElse(null);
        if (field != null && !field.equals("displayname") && !field.equals("avatar_url")) {
            throw MatrixException.invalidParam("Unknown profile field " + field);
        }
        ObjectNode profile = directory.get().profile(userId).orElseThrow(() -> MatrixException.notFound("Profile was not found"));
        if (field == null) return ApiResponse.ok(profile);
        ObjectNode one = Json.object();
        if (profile.has(field)) one.set(field, profile.get(field));
        return ApiResponse.ok(one);
    }

    private ApiResponse directory(ApiRequest request) {
        String alias = request.query("room_alias").orElseThrow(() -> MatrixException.missingParam("Missing room_alias"));
        int colon = alias.indexOf(':');
        if (!alias.startsWith("#") || colon < 2) throw MatrixException.invalidParam("Invalid room alias " + alias);
        if (!alias.substring(colon + 1).equals(ourName)) throw MatrixException.notFound("Room alias not found");
        String roomId = directory.get().roomIdForAlias(alias).orElseThrow(() -> MatrixException.notFound("Room alias not found"));
        ObjectNode body = Json.object().put("room_id", roomId);
        body.putArray("servers").add(ourName);
        return ApiResponse.ok(body);
    }

    private ApiResponse userDevices(ApiRequest request) {
        String userId = request.path("userId");
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.invalidParam("Invalid user ID " + userId);
        if (!MatrixIds.serverName(userId).equals(ourName)) throw MatrixException.forbidden("User " + userId + " is not on this server");
        return ApiResponse.ok(devices.get().userDevices(userId).orElseThrow(() -> MatrixException.notFound("Unknown user")));
    }

    private ApiResponse keysQuery(ApiRequest request) {
        JsonNode query = request.jsonObject().get("device_keys");
        if (!(query instanceof ObjectNode object)) throw MatrixException.badJson("device_keys must be an object");
        object.fields().forEachRemaining(e -> {
            if (!e.getValue().isArray()) throw MatrixException.badJson("device_keys values must be arrays of device IDs");
            e.getValue().forEach(d -> {
                if (!d.isTextual()) throw MatrixException.badJson("device_keys values must be arrays of device IDs");
            });
        });
        return ApiResponse.ok(devices.get().queryKeys(object));
    }

    private ApiResponse keysClaim(ApiRequest request) {
        JsonNode query = request.jsonObject().get("one_time_keys");
        if (!(query instanceof ObjectNode object)) throw MatrixException.badJson("one_time_keys must be an object");
        object.fields().forEachRemaining(e -> {
            if (!e.getValue().isObject()) throw MatrixException.badJson("one_time_keys values must map device IDs to algorithms");
            e.getValue().fields().forEachRemaining(d -> {
                if (!d.getValue().isTextual()) throw MatrixException.badJson("one_time_keys values must map device IDs to algorithms");
            });
        });
        return ApiResponse.ok(devices.get().claimKeys(object));
    }
}
