package org.callhs.core.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.callhs.core.api.QueryParams;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Synapse's room admin API, reading part; admins only (403 {@code M_FORBIDDEN} otherwise).
 * <ul>
 * <li>{@code GET /_synapse/admin/v1/rooms}: {@code from}, {@code limit}, {@code order_by}, {@code dir},
 *     {@code search_term}, {@code public_rooms}, {@code empty_rooms};
 *     {@code {rooms, offset, total_rooms, next_batch, prev_batch}}</li>
 * <li>{@code GET /_synapse/admin/v1/rooms/{roomId}}: the list entry plus topic, avatar, local devices,
 *     forgotten, tombstone</li>
 * <li>{@code GET /_synapse/admin/v1/rooms/{roomId}/members}: {@code {members, total}}, joined users</li>
 * <li>{@code GET /_synapse/admin/v1/rooms/{roomId}/state}: {@code {state}}, optionally of one {@code type}</li>
 * </ul>
 * Unknown rooms are 404 {@code M_NOT_FOUND} "Room not found".
 * Docs: <a href="https://element-hq.github.io/synapse/latest/admin_api/rooms.html">Synapse room admin API</a>.
 */
public final class RoomAdminEndpoints implements Routes {
    private static final String V1 = "/_synapse/admin/v1";
    private static final Map<String, RoomAdmin.Order> ORDERS = Map.ofEntries(
            Map.entry("name", RoomAdmin.Order.NAME), Map.entry("alphabetical", RoomAdmin.Order.NAME),
            Map.entry("size", RoomAdmin.Order.JOINED_MEMBERS), Map.entry("joined_members", RoomAdmin.Order.JOINED_MEMBERS),
            Map.entry("canonical_alias", RoomAdmin.Order.CANONICAL_ALIAS),
            Map.entry("joined_local_members", RoomAdmin.Order.JOINED_LOCAL_MEMBERS), Map.entry("version", RoomAdmin.Order.VERSION),
            Map.entry("creator", RoomAdmin.Order.CREATOR), Map.entry("encryption", RoomAdmin.Order.ENCRYPTION),
            Map.entry("federatable", RoomAdmin.Order.FEDERATABLE), Map.entry("public", RoomAdmin.Order.PUBLIC),
            Map.entry("join_rules", RoomAdmin.Order.JOIN_RULES), Map.entry("guest_access", RoomAdmin.Order.GUEST_ACCESS),
            Map.entry("history_visibility", RoomAdmin.Order.HISTORY_VISIBILITY), Map.entry("state_events", RoomAdmin.Order.STATE_EVENTS));

    private final RoomAdmin rooms;
    private final ClientEvents clientEvents;

    public RoomAdminEndpoints(RoomAdmin rooms, ClientEvents clientEvents) {
        this.rooms = rooms;
        this.clientEvents = clientEvents;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", V1 + "/rooms", AuthKind.USER, null, this::list),
                new Endpoint("GET", V1 + "/rooms/{roomId}", AuthKind.USER, null, this::details),
                new Endpoint("GET", V1 + "/rooms/{roomId}/members", AuthKind.USER, null, this::members),
                new Endpoint("GET", V1 + "/rooms/{roomId}/state", AuthKind.USER, null, this::state));
    }

    private ApiResponse list(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        int from = QueryParams.atLeast(request, "from", 0, 0);
        int limit = QueryParams.atLeast(request, "limit", 0, 100);
        RoomAdmin.Order order = ORDERS.get(request.query("order_by").orElse("name"));
        if (order == null) throw MatrixException.invalidParam("Query parameter 'order_by' must be one of " + new java.util.TreeSet<>(ORDERS.keySet()));
        boolean reversed = AdminAccess.backwards(request);
        String searchTerm = request.query("search_term").orElse(null);
        if (searchTerm != null && searchTerm.isEmpty()) throw MatrixException.invalidParam("search_term cannot be an empty string");
        RoomAdmin.Page page = rooms.list(new RoomAdmin.Query(searchTerm, order, reversed, QueryParams.bool(request, "public_rooms").orElse(null),
                QueryParams.bool(request, "empty_rooms").orElse(null)), from, limit);
        ObjectNode body = Json.object();
        ArrayNode out = body.putArray("rooms");
        page.rooms().forEach(room -> out.add(room.listEntry()));
        body.put("offset", from);
        body.put("total_rooms", page.total());
        if ((long) from + limit < page.total()) body.put("next_batch", from + limit);
        if (from > 0) body.put("prev_batch", from > limit ? from - limit : 0);
        return ApiResponse.ok(body);
    }

    private ApiResponse details(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String roomId = request.path("roomId");
        RoomSummary room = rooms.summary(roomId).orElseThrow(() -> MatrixException.notFound("Room not found"));
        ObjectNode body = room.listEntry();
        body.put("topic", room.topic());
        body.put("avatar", room.avatar());
        body.put("joined_local_devices", rooms.joinedLocalDevices(roomId));
        body.put("forgotten", rooms.forgotten(roomId));
        body.put("tombstoned", room.tombstoned());
        body.put("replacement_room", room.replacementRoom());
        return ApiResponse.ok(body);
    }

    private ApiResponse members(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String roomId = existing(request);
        List<String> members = rooms.members(roomId);
        ObjectNode body = Json.object();
        ArrayNode out = body.putArray("members");
        members.forEach(out::add);
        body.put("total", members.size());
        return ApiResponse.ok(body);
    }

    private ApiResponse state(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String roomId = existing(request);
        ObjectNode body = Json.object();
        ArrayNode out = body.putArray("state");
        for (PersistedEvent event : rooms.state(roomId, request.query("type").orElse(null))) out.add(clientEvents.render(event, null));
        return ApiResponse.ok(body);
    }

    private String existing(ApiRequest request) {
        String roomId = request.path("roomId");
        if (!rooms.exists(roomId)) throw MatrixException.notFound("Room not found");
        return roomId;
    }
}
