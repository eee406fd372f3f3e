package org.callhs.core.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.BlockedRooms;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Synapse's room deletion and blocking admin API; admins only (403 {@code M_FORBIDDEN} otherwise).
 * <ul>
 * <li>{@code DELETE /_synapse/admin/v1/rooms/{roomId}}: shuts the room down and purges it before
 *     answering {@code {kicked_users, failed_to_kick_users, local_aliases, new_room_id}}</li>
 * <li>{@code DELETE /_synapse/admin/v2/rooms/{roomId}}: the same in the background; answers {@code {delete_id}}</li>
 * <li>{@code GET /_synapse/admin/v2/rooms/{roomId}/delete_status} and
 *     {@code GET /_synapse/admin/v2/rooms/delete_status/{deleteId}}: {@code status} is
 *     {@code scheduled}, {@code active}, {@code complete} or {@code failed} (then {@code error}),
 *     {@code shutdown_room} the progress so far</li>
 * <li>{@code GET} and {@code PUT /_synapse/admin/v1/rooms/{roomId}/block}: {@code {block[, user_id]}}</li>
 * </ul>
 * The deletion body (a JSON object): {@code new_room_user_id}, {@code room_name}, {@code message},
 * {@code block} (default false), {@code purge} (default true), {@code force_purge} (default false).
 * Docs: <a href="https://element-hq.github.io/synapse/latest/admin_api/rooms.html#delete-room-api">Synapse
 * delete room API</a>, <a href="https://element-hq.github.io/synapse/latest/admin_api/rooms.html#block-room-api">block room API</a>.
 */
public final class RoomDeletionEndpoints implements Routes {
    private static final String V1 = "/_synapse/admin/v1";
    private static final String V2 = "/_synapse/admin/v2";

    private final RoomDeletions deletions;
    private final BlockedRooms blocked;

    public RoomDeletionEndpoints(RoomDeletions deletions, BlockedRooms blocked) {
        this.deletions = deletions;
        this.blocked = blocked;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("DELETE", V1 + "/rooms/{roomId}", AuthKind.USER, null, this::deleteNow),
                new Endpoint("DELETE", V2 + "/rooms/{roomId}", AuthKind.USER, null, this::schedule),
                new Endpoint("GET", V2 + "/rooms/{roomId}/delete_status", AuthKind.USER, null, this::statusOfRoom),
                new Endpoint("GET", V2 + "/rooms/delete_status/{deleteId}", AuthKind.USER, null, this::status),
                new Endpoint("GET", V1 + "/rooms/{roomId}/block", AuthKind.USER, null, this::blockStatus),
                new Endpoint("PUT", V1 + "/rooms/{roomId}/block", AuthKind.USER, null, this::block));
    }

    private ApiResponse deleteNow(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        RoomShutdown.Params params = params(request);
        return ApiResponse.ok(deletions.deleteNow(AdminAccess.roomId(request), params).toJson());
    }

    private ApiResponse schedule(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        RoomShutdown.Params params = params(request);
        return ApiResponse.ok(Json.object().put("delete_id", deletions.schedule(AdminAccess.roomId(request), params)));
    }

    private ApiResponse statusOfRoom(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String roomId = AdminAccess.roomId(request);
        List<RoomDeletions.Task> tasks = deletions.tasksOf(roomId);
        if (tasks.isEmpty()) throw MatrixException.notFound("No delete task for room_id '" + roomId + "' found");
        ObjectNode body = Json.object();
        ArrayNode results = body.putArray("results");
        tasks.forEach(t -> results.add(RoomDeletions.statusJson(t)));
        return ApiResponse.ok(body);
    }

    private ApiResponse status(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String deleteId = request.path("deleteId");
        return ApiResponse.ok(deletions.task(deleteId).map(RoomDeletions::statusJson)
                .orElseThrow(() -> MatrixException.notFound("delete id '" + deleteId + "' not found")));
    }

    private ApiResponse blockStatus(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String roomId = AdminAccess.roomId(request);
        ObjectNode body = Json.object();
        blocked.blockedBy(roomId).ifPresentOrElse(admin -> body.put("block", true).put("user_id", admin), () -> body.put("block", false));
        return ApiResponse.ok(body);
    }

    private ApiResponse block(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        ObjectNode body = request.requiredJsonObject();
        String roomId = AdminAccess.roomId(request);
        JsonNode block = body.get("block");
        if (block == null) throw MatrixException.missingParam("Missing params: ['block']");
        if (!block.isBoolean()) throw MatrixException.badJson("Param 'block' must be a boolean.");
        if (block.booleanValue()) {
            blocked.block(roomId, request.requester().userId());
        } else {
            blocked.unblock(roomId);
        }
        return ApiResponse.ok(Json.object().put("block", block.booleanValue()));
    }

    /** The deletion body, checked as Synapse checks it (400 {@code M_BAD_JSON} for a wrong type). */
    private static RoomShutdown.Params params(ApiRequest request) {
        ObjectNode body = request.requiredJsonObject();
        return new RoomShutdown.Params(request.requester().userId(), optionalString(body, "new_room_user_id"),
                optionalString(body, "room_name"), optionalString(body, "message"), bool(body, "block", false),
                bool(body, "purge", true), bool(body, "force_purge", false));
    }

    private static boolean bool(ObjectNode body, String key, boolean fallback) {
        JsonNode value = body.get(key);
        if (value == null) return fallback;
        if (!value.isBoolean()) throw MatrixException.badJson("Param '" + key + "' must be a boolean, if given");
        return value.booleanValue();
    }

    private static String optionalString(ObjectNode body, String key) {
        JsonNode value = body.get(key);
        if (value == null || value.isNull()) return null;
        if (!value.isTextual()) throw MatrixException.badJson("Param '" + key + "' must be a string, if given");
        return value.textValue();
    }
}
