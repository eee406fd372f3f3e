package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Server-side key backups (Client-Server API v1.16, "End-to-end encryption", section
 * "Server-side key backups"), under {@code /_matrix/client/r0}, {@code v3} and {@code unstable};
 * full accounts only. Behaviour in {@link KeyBackupService}.
 */
public final class KeyBackupEndpoints implements Routes {
    private final KeyBackupService backups;

    public KeyBackupEndpoints(KeyBackupService backups) {
        this.backups = backups;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        List<String> p = KeysEndpoints.PREFIXES;
        list.addAll(Endpoint.under(p, "POST", "/room_keys/version", AuthKind.USER, null, this::create));
        list.addAll(Endpoint.under(p, "GET", "/room_keys/version", AuthKind.USER, null, this::current));
        list.addAll(Endpoint.under(p, "GET", "/room_keys/version/{version}", AuthKind.USER, null, this::info));
        list.addAll(Endpoint.under(p, "PUT", "/room_keys/version/{version}", AuthKind.USER, null, this::update));
        list.addAll(Endpoint.under(p, "DELETE", "/room_keys/version/{version}", AuthKind.USER, null, this::delete));
        String[] scopes = {"/room_keys/keys", "/room_keys/keys/{roomId}", "/room_keys/keys/{roomId}/{sessionId}"};
        for (int depth = 0; depth < scopes.length; depth++) {
            int d = depth;
            list.addAll(Endpoint.under(p, "PUT", scopes[d], AuthKind.USER, null, r -> putKeys(r, d)));
            list.addAll(Endpoint.under(p, "GET", scopes[d], AuthKind.USER, null, r -> getKeys(r, d)));
            list.addAll(Endpoint.under(p, "DELETE", scopes[d], AuthKind.USER, null, r -> deleteKeys(r, d)));
        }
        return list;
    }

    /**
     * {@code POST /_matrix/client/v3/room_keys/version}: creates a backup version, which becomes
     * current (spec "POST /_matrix/client/v3/room_keys/version"). {@code algorithm} (string) and
     * {@code auth_data} (object) are required.
     */
    private ApiResponse create(ApiRequest request) {
        String version = backups.create(request.requester().userId(), request.jsonObject());
        return ApiResponse.ok(Json.object().put("version", version));
    }

    /**
     * {@code GET /_matrix/client/v3/room_keys/version}: the current backup (spec "GET
     * /_matrix/client/v3/room_keys/version"); 404 {@code M_NOT_FOUND} when there is none.
     */
    private ApiResponse current(ApiRequest request) {
        return ApiResponse.ok(backups.info(request.requester().userId(), null));
    }

    /** {@code GET /_matrix/client/v3/room_keys/version/{version}} (spec section of the same name). */
    private ApiResponse info(ApiRequest request) {
        return ApiResponse.ok(backups.info(request.requester().userId(), request.path("version")));
    }

    /**
     * {@code PUT /_matrix/client/v3/room_keys/version/{version}}: replaces {@code auth_data}
     * (spec section of the same name); another algorithm or a body {@code version} that differs
     * from the path is 400 {@code M_INVALID_PARAM}.
     */
    private ApiResponse update(ApiRequest request) {
        backups.update(request.requester().userId(), request.path("version"), request.jsonObject());
        return ApiResponse.empty();
    }

    /** {@code DELETE /_matrix/client/v3/room_keys/version/{version}}: deletes the version and its keys (spec section of the same name). */
    private ApiResponse delete(ApiRequest request) {
        backups.delete(request.requester().userId(), request.path("version"));
        return ApiResponse.empty();
    }

    /**
     * {@code PUT /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=}: stores keys
     * in the current backup (spec "PUT /_matrix/client/v3/room_keys/keys" and the per-room and
     * per-session forms); answers {@code etag} and {@code count}.
     */
    private ApiResponse putKeys(ApiRequest request, int depth) {
        String version = version(request);
        ObjectNode body = request.jsonObject();
        ObjectNode rooms;
        String roomId = roomId(request, depth);
        String sessionId = sessionId(request, depth);
        if (roomId == null) {
            rooms = KeyJson.requireObject(body, "rooms");
        } else if (sessionId == null) {
            KeyJson.requireObject(body, "sessions");
            rooms = Json.object().set(roomId, body);
        } else {
            rooms = Json.object();
            rooms.putObject(roomId).putObject("sessions").set(sessionId, body);
        }
        return ApiResponse.ok(backups.put(request.requester().userId(), version, rooms));
    }

    /**
     * {@code GET /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=}: backed-up
     * keys (spec sections of the same names): all rooms as {@code {"rooms": ...}}, one room as
     * {@code {"sessions": ...}} (empty when none), one session as its key data (404
     * {@code M_NOT_FOUND} when absent).
     */
    private ApiResponse getKeys(ApiRequest request, int depth) {
        String version = version(request);
        String roomId = roomId(request, depth);
        String sessionId = sessionId(request, depth);
        ObjectNode all = backups.get(request.requester().userId(), version, roomId, sessionId);
        if (roomId == null) return ApiResponse.ok(all);
        ObjectNode room = all.path("rooms").get(roomId) instanceof ObjectNode r ? r : Json.object().set("sessions", Json.object());
        if (sessionId == null) return ApiResponse.ok(room);
        if (!(room.path("sessions").get(sessionId) instanceof ObjectNode session)) throw MatrixException.notFound("No room key found");
        return ApiResponse.ok(session);
    }

    /** {@code DELETE /_matrix/client/v3/room_keys/keys[/{roomId}[/{sessionId}]]?version=} (spec sections of the same names); answers {@code etag} and {@code count}. */
    private ApiResponse deleteKeys(ApiRequest request, int depth) {
        return ApiResponse.ok(backups.deleteKeys(request.requester().userId(), version(request),
                roomId(request, depth), sessionId(request, depth)));
    }

    private static String version(ApiRequest request) {
        return request.query("version").orElseThrow(() -> MatrixException.missingParam("Missing parameter: version"));
    }

    /** The room of a per-room or per-session endpoint (depth 1 or 2), else null. */
    private static String roomId(ApiRequest request, int depth) {
        return depth >= 1 ? request.path("roomId") : null;
    }

    private static String sessionId(ApiRequest request, int depth) {
        return depth == 2 ? request.path("sessionId") : null;
    }
}
