package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.room.auth.StateView;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.Json;

/**
 * The room directory (Client-Server API "Room aliases" and "Room discovery").
 *
 * <ul>
 * <li>{@code PUT/GET/DELETE /directory/room/{roomAlias}}: local aliases; a {@code GET} of a
 *     remote alias asks its server ({@code GET /_matrix/federation/v1/query/directory}); 409 when the alias exists; deleting needs to be the alias's
 *     creator, a server admin, or a room member with the level for {@code m.room.canonical_alias}.
 * <li>{@code GET /rooms/{roomId}/aliases} for members.
 * <li>{@code GET/POST /publicRooms}: rooms listed in the directory, {@code limit} and
 *     {@code since} (offset tokens), {@code filter.generic_search_term} on name, topic, alias.
 * <li>{@code GET/PUT /directory/list/room/{roomId}}: a room's directory visibility; changing
 *     it needs the level for {@code m.room.canonical_alias} (as Synapse).
 * </ul>
 */
public final class DirectoryEndpoints implements Routes {
    private final Database database;
    private final RoomAliasRepository aliases;
    private final RoomRepository rooms;
    private final RoomReader reader;
    private final String serverName;
    private final org.callhs.core.spi.RemoteServers remote;

    private final org.callhs.core.room.RoomWriter writer;
    private final org.callhs.core.room.RoomPreview preview;

    public DirectoryEndpoints(Database database, RoomAliasRepository aliases, RoomRepository rooms, RoomReader reader, String serverName,
                              org.callhs.core.spi.RemoteServers remote, org.callhs.core.room.RoomWriter writer,
                              org.callhs.core.room.RoomPreview preview) {
        this.remote = remote;
        this.writer = writer;
        this.preview = preview;
        this.database = database;
        this.aliases = aliases;
        this.rooms = rooms;
        this.reader = reader;
        this.serverName = serverName;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/directory/room/{alias}", AuthKind.USER, null, this::putAlias));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/directory/room/{alias}", AuthKind.OPTIONAL, null, this::getAlias));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "DELETE", "/directory/room/{alias}", AuthKind.USER, null, this::deleteAlias));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/aliases", AuthKind.USER, null, this::roomAliases));
        list.addAll(Endpoint.under(Endpoint.CLIENT_V1, "GET", "/room_summary/{roomIdOrAlias}", AuthKind.OPTIONAL, null, this::roomSummary));
        list.add(new Endpoint("GET", "/_matrix/client/unstable/im.nheko.summary/summary/{roomIdOrAlias}", AuthKind.OPTIONAL, null,
                this::roomSummary));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/publicRooms", AuthKind.OPTIONAL, null, this::publicRooms));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/publicRooms", AuthKind.USER, null, this::publicRooms));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/directory/list/room/{roomId}", AuthKind.OPTIONAL, null, this::getVisibility));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/directory/list/room/{roomId}", AuthKind.USER, null, this::putVisibility));
        return list;
    }

    private String alias(ApiRequest request) {
        String alias = request.path("alias");
        if (!org.callhs.core.room.CanonicalAliasCheck.wellFormed(alias)) throw MatrixException.invalidParam("Invalid room alias " + alias);
        return alias;
    }

    /** The room an alias points at: this server's table, or the alias's server; empty when it does not exist or cannot be asked. */
    public java.util.Optional<String> roomOfAlias(String alias) {
        if (isLocal(alias)) return aliases.roomId(database.dsl(), alias);
        try {
            JsonNode roomId = remote.resolveAlias(alias).path("room_id");
            return roomId.isTextual() ? java.util.Optional.of(roomId.textValue()) : java.util.Optional.empty();
        } catch (RuntimeException notThere) { // not found there, or the server could not be asked
            return java.util.Optional.empty();
        }
    }

    private boolean isLocal(String alias) { return alias.substring(alias.indexOf(':') + 1).equals(serverName); }

    private ApiResponse putAlias(ApiRequest request) {
        String alias = alias(request);
        if (!isLocal(alias)) throw MatrixException.invalidParam("Room alias must be on this server");
        String roomId = Bodies.requireString(request.jsonObject(), "room_id");
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Unknown room");
        boolean created = database.transaction(tx -> aliases.insert(tx, alias, roomId, request.requester().userId()));
        if (!created) throw new MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 409, "Room alias already exists");
        return ApiResponse.empty();
    }

    private ApiResponse getAlias(ApiRequest request) {
        String alias = alias(request);
        if (!alias.substring(alias.indexOf(':') + 1).equals(serverName)) return ApiResponse.ok(remote.resolveAlias(alias));
        String roomId = aliases.roomId(database.dsl(), alias).orElseThrow(() -> MatrixException.notFound("Room alias not found"));
        ObjectNode body = Json.object().put("room_id", roomId);
        body.putArray("servers").add(serverName);
        return ApiResponse.ok(body);
    }

    private ApiResponse deleteAlias(ApiRequest request) {
        Requester requester = request.requester();
        String alias = alias(request);
        String creator = aliases.creator(database.dsl(), alias).orElseThrow(() -> MatrixException.notFound("Room alias not found"));
        String roomId = aliases.roomId(database.dsl(), alias).orElseThrow();
        if (!creator.equals(requester.userId()) && !requester.admin() && !mayChangeAliases(roomId, requester.userId())) {
            throw MatrixException.forbidden("You may not delete this alias");
        }
        database.transaction(tx -> aliases.delete(tx, alias));
        dropFromCanonicalAlias(roomId, alias, requester);
        return ApiResponse.empty();
    }

    /**
     * A deleted alias also leaves the room's {@code m.room.canonical_alias} (its {@code alias} or
     * {@code alt_aliases}), sent by the deleting user when the room lets them, as Synapse does; when
     * it does not, the event stays as it is and the alias simply no longer resolves.
     */
    private void dropFromCanonicalAlias(String roomId, String alias, Requester requester) {
        var current = reader.stateEvent(reader.currentState(roomId), "m.room.canonical_alias", "");
        if (current.isEmpty()) return;
        JsonNode content = current.get().pdu().path("content");
        boolean main = alias.equals(content.path("alias").asText(null));
        boolean alt = false;
        ArrayNode alts = Json.array();
        if (content.path("alt_aliases").isArray()) {
            for (JsonNode a : content.path("alt_aliases")) {
                if (alias.equals(a.asText(null))) alt = true; else alts.add(a);
            }
        }
        if (!main && !alt) return;
        ObjectNode updated = content.deepCopy();
        if (main) updated.remove("alias");
        if (alt) updated.set("alt_aliases", alts);
        try {
            writer.send(new org.callhs.core.room.EventDraft(roomId, requester.userId(), requester.deviceId(), null,
                    "m.room.canonical_alias", "", updated, Json.object()));
        } catch (MatrixException notAllowed) {
            // The alias's creator need not have the level for m.room.canonical_alias.
        }
    }

    private boolean mayChangeAliases(String roomId, String userId) {
        Map<StateKey, String> state = reader.currentState(roomId);
        if (!reader.membership(state, userId).orElse("").equals("join")) return false;
        StateView view = key -> reader.stateEvent(state, key.type(), key.stateKey()).map(e -> (JsonNode) e.pdu());
        var version = reader.room(roomId).map(r -> org.callhs.core.event.RoomVersion.require(r.getRoomVersion())).orElseThrow();
        return AuthRules.powerLevel(userId, view, version) >= AuthRules.requiredLevel("m.room.canonical_alias", true, view);
    }

    private ApiResponse roomAliases(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        Map<StateKey, String> state = reader.currentState(roomId);
        if (!reader.membership(state, request.requester().userId()).orElse("").equals("join")) {
            throw MatrixException.forbidden("You are not in this room");
        }
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("aliases");
        aliases.aliasesOf(database.dsl(), roomId).forEach(list::add);
        return ApiResponse.ok(body);
    }

    private ApiResponse publicRooms(ApiRequest request) {
        ObjectNode body = request.method().equals("POST") ? request.requiredJsonObject() : Json.object();
        int limit = intParam(request.query("limit").orElse(null), body.path("limit"), 100);
        String since = request.query("since").orElse(body.path("since").isTextual() ? body.get("since").textValue() : null);
        String term = body.path("filter").path("generic_search_term").asText("");
        String server = request.query("server").orElse(null);
        if (server != null && !server.equals(serverName)) {
            // Another server's directory (spec: the server parameter), asked over federation.
            if (!org.callhs.core.util.MatrixIds.isValidServerName(server)) throw MatrixException.invalidParam("Invalid server name");
            return ApiResponse.ok(remote.publicRooms(server, limit, since, term));
        }
        return ApiResponse.ok(publicRoomList(limit, since, term));
    }

    /** A page of this server's public room directory: {@code limit} rooms from {@code since}, matching {@code term}. */
    public ObjectNode publicRoomList(int limit, String since, String term) {
        int offset = 0;
        if (since != null) {
            try {
                offset = Integer.parseInt(since.startsWith("o") ? since.substring(1) : "x");
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Invalid since token");
            }
        }
        String needle = term == null ? "" : term.toLowerCase(Locale.ROOT);
        List<ObjectNode> chunk = new ArrayList<>();
        for (RoomsRecord room : rooms.publicRooms(database.dsl())) {
            ObjectNode entry = preview.describe(room);
            if (!needle.isEmpty() && !(entry.path("name").asText("") + " " + entry.path("topic").asText("") + " "
                    + entry.path("canonical_alias").asText("")).toLowerCase(Locale.ROOT).contains(needle)) continue;
            chunk.add(entry);
        }
        ObjectNode out = Json.object();
        ArrayNode page = out.putArray("chunk");
        int end = Math.min(chunk.size(), offset + limit);
        for (int i = Math.min(offset, chunk.size()); i < end; i++) page.add(chunk.get(i));
        if (end < chunk.size()) out.put("next_batch", "o" + end);
        if (offset > 0) out.put("prev_batch", "o" + Math.max(0, offset - limit));
        out.put("total_room_count_estimate", chunk.size());
        return out;
    }

    static int intParam(String query, JsonNode body, int fallback) {
        try {
            int value = query != null ? Integer.parseInt(query) : body.isIntegralNumber() ? body.intValue() : fallback;
            if (value < 0) throw MatrixException.invalidParam("limit must not be negative");
            return Math.min(value, 500);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("limit must be an integer");
        }
    }

    /**
     * {@code GET /_matrix/client/v1/room_summary/{roomIdOrAlias}} (spec v1.15; MSC3266's unstable
     * path too): a room's public-directory description plus {@code room_version},
     * {@code encryption}, {@code allowed_room_ids} (restricted rooms) and, for a signed-in user,
     * their {@code membership} ({@code leave} when they have none). Served to anyone when the
     * room's join rule is {@code public}, {@code knock} or {@code knock_restricted} or its history
     * is {@code world_readable}; to a signed-in user also when they are joined or invited, or may
     * join a restricted room through a room they are in. Otherwise, and for rooms this server is
     * not in (it does not ask other servers; {@code via} is not used), 404 {@code M_NOT_FOUND},
     * so the answer reveals nothing. A malformed ID or alias is 400 {@code M_INVALID_PARAM}.
     */
    private ApiResponse roomSummary(ApiRequest request) {
        String target = request.path("roomIdOrAlias");
        String roomId;
        if (target.startsWith("#")) {
            if (!org.callhs.core.room.CanonicalAliasCheck.wellFormed(target)) throw MatrixException.invalidParam("Invalid room alias " + target);
            roomId = roomOfAlias(target).orElseThrow(() -> MatrixException.notFound("Room not found"));
        } else if (target.startsWith("!")) {
            roomId = target;
        } else {
            throw MatrixException.invalidParam("Not a room ID or alias: " + target);
        }
        RoomsRecord room = reader.room(roomId).orElseThrow(() -> MatrixException.notFound("Room not found"));
        Requester requester = request.optionalRequester();
        String userId = requester == null ? null : requester.userId();
        ObjectNode summary = preview.preview(room, userId).orElseThrow(() -> MatrixException.notFound("Room not found"));
        String membership = userId == null ? null : reader.membership(reader.currentState(roomId), userId).orElse("leave");
        if (membership != null) summary.put("membership", membership);
        return ApiResponse.ok(summary);
    }

    private ApiResponse getVisibility(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        RoomsRecord room = reader.room(roomId).orElseThrow(() -> MatrixException.notFound("Unknown room"));
        return ApiResponse.ok(Json.object().put("visibility", room.getIsPublic() ? "public" : "private"));
    }

    private ApiResponse putVisibility(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Unknown room");
        String visibility = Bodies.optionalString(request.jsonObject(), "visibility");
        if (visibility == null) visibility = "public";
        if (!visibility.equals("public") && !visibility.equals("private")) throw MatrixException.invalidParam("visibility must be public or private");
        if (!request.requester().admin() && !mayChangeAliases(roomId, request.requester().userId())) {
            throw MatrixException.forbidden("You may not change this room's directory visibility");
        }
        boolean isPublic = visibility.equals("public");
        database.transaction(tx -> {
            rooms.setPublic(tx, roomId, isPublic);
            return null;
        });
        return ApiResponse.empty();
    }
}
