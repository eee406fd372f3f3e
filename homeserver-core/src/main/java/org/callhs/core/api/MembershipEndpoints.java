package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.RoomWriter;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ForgottenRoomRepository;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * Room membership (Client-Server API "Room membership"): join by ID ({@code /rooms/{id}/join})
 * or by ID or local alias ({@code /join/{roomIdOrAlias}}; the body's keys such as {@code reason} go
 * into the member event, and joining again with the same content creates no event), leave,
 * invite, kick (403 when the target is not in the room), ban, unban;
 * {@code GET /rooms/{id}/members} (with {@code membership} / {@code not_membership}) and
 * {@code /joined_members}. Every change is an {@code m.room.member} event through the room
 * writer, so the version's authorization rules decide (403 {@code M_FORBIDDEN} with the reason).
 */
public final class MembershipEndpoints implements Routes {
    private final RoomWriter writer;
    private final RoomReader reader;
    private final ClientEvents clientEvents;
    private final Database database;
    private final ProfileRepository profiles;
    private final RoomAliasRepository aliases;
    private final ForgottenRoomRepository forgotten;
    private final String serverName;
    private final org.callhs.core.room.remote.RemoteJoiner remoteJoiner;
    private final org.callhs.core.room.remote.RemoteInvites remoteInvites;
    private final java.util.function.Supplier<org.callhs.core.spi.RemoteServers> remoteServers;

    private final org.callhs.core.room.BlockedRooms blocked;

    public MembershipEndpoints(RoomWriter writer, RoomReader reader, ClientEvents clientEvents, Database database,
                               ProfileRepository profiles, RoomAliasRepository aliases, ForgottenRoomRepository forgotten,
                               String serverName, org.callhs.core.room.remote.RemoteJoiner remoteJoiner,
                               org.callhs.core.room.remote.RemoteInvites remoteInvites,
                               java.util.function.Supplier<org.callhs.core.spi.RemoteServers> remoteServers,
                               org.callhs.core.room.BlockedRooms blocked) {
        this.blocked = blocked;
        this.remoteInvites = remoteInvites;
        this.serverName = serverName;
        this.remoteJoiner = remoteJoiner;
        this.remoteServers = remoteServers;
        this.writer = writer;
        this.reader = reader;
        this.clientEvents = clientEvents;
        this.database = database;
        this.profiles = profiles;
        this.aliases = aliases;
        this.forgotten = forgotten;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/join", AuthKind.USER_OR_GUEST, "joins",
                r -> join(r, new Target(RoomEndpoints.roomId(r), List.of()))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/join/{roomIdOrAlias}", AuthKind.USER_OR_GUEST, "joins",
                r -> join(r, target(r.path("roomIdOrAlias")))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/knock/{roomIdOrAlias}", AuthKind.USER, "joins",
                r -> knock(r, target(r.path("roomIdOrAlias")))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/forget", AuthKind.USER, null, this::forget));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/leave", AuthKind.USER_OR_GUEST, null,
                r -> change(r, r.requester().userId(), "leave")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/invite", AuthKind.USER, null,
                r -> change(r, target(r), "invite")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/kick", AuthKind.USER, null, this::kick));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/ban", AuthKind.USER, null,
                r -> change(r, target(r), "ban")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/unban", AuthKind.USER, null, this::unban));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/members", AuthKind.USER_OR_GUEST, null, this::members));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/joined_members", AuthKind.USER, null,
                this::joinedMembers));
        return list;
    }

    private String resolve(String roomIdOrAlias) {
        if (roomIdOrAlias.startsWith("!")) return roomIdOrAlias;
        if (!roomIdOrAlias.startsWith("#") || !roomIdOrAlias.contains(":")) throw MatrixException.invalidParam("Invalid room ID or alias");
        return aliases.roomId(database.dsl(), roomIdOrAlias).orElseThrow(() -> MatrixException.notFound("Room alias not found"));
    }

    private static String target(ApiRequest request) {
        String userId = Bodies.requireString(request.jsonObject(), "user_id");
        if (!MatrixIds.isValidUserId(userId)) throw MatrixException.invalidParam("Invalid user_id");
        return userId;
    }

    /** A room to join and the servers an alias named for it. */
    private record Target(String roomId, List<String> servers) {}

    /** A room ID, a local alias, or a remote alias (asked of its server, which names the servers to join through). */
    private Target target(String roomIdOrAlias) {
        if (roomIdOrAlias.startsWith("!")) return new Target(roomIdOrAlias, List.of());
        if (!roomIdOrAlias.startsWith("#") || !roomIdOrAlias.contains(":")) throw MatrixException.invalidParam("Invalid room ID or alias");
        if (MatrixIds.serverName(roomIdOrAlias).equals(serverName)) return new Target(resolve(roomIdOrAlias), List.of());
        ObjectNode found = remoteServers.get().resolveAlias(roomIdOrAlias);
        List<String> servers = new ArrayList<>();
        found.path("servers").forEach(s -> servers.add(s.asText()));
        servers.add(MatrixIds.serverName(roomIdOrAlias));
        return new Target(found.path("room_id").asText(), servers);
    }

    /** Whether a user of this server is joined to the room: then joins are written here. */
    private boolean residentHere(String roomId) {
        if (reader.room(roomId).isEmpty()) return false;
        for (String member : reader.members(roomId, "join")) {
            if (MatrixIds.isValidUserId(member) && MatrixIds.serverName(member).equals(serverName)) return true;
        }
        return false;
    }

    /**
     * The servers to join a room through: {@code via} and {@code server_name} (repeatable), the
     * alias's servers, and the server named in the room ID (room versions before 12).
     */
    private List<String> joinServers(ApiRequest request, Target target) {
        java.util.LinkedHashSet<String> servers = new java.util.LinkedHashSet<>();
        servers.addAll(request.queryAll("via"));
        servers.addAll(request.queryAll("server_name"));
        servers.addAll(target.servers());
        // Invited from another server: its server is in the room.
        if (reader.room(target.roomId()).isPresent()) {
            reader.stateEvent(reader.currentState(target.roomId()), "m.room.member", request.requester().userId())
                    .filter(e -> e.pdu().path("content").path("membership").asText().equals("invite"))
                    .ifPresent(e -> servers.add(MatrixIds.serverName(e.sender())));
        }
        int colon = target.roomId().indexOf(':');
        if (colon > 0) servers.add(target.roomId().substring(colon + 1));
        servers.removeIf(s -> !org.callhs.core.util.MatrixIds.isValidServerName(s));
        return new ArrayList<>(servers);
    }

    private ApiResponse join(ApiRequest request, Target target) {
        Requester requester = request.requester();
        String roomId = target.roomId();
        blocked.requireNotBlocked(roomId);
        if (!residentHere(roomId)) {
            List<String> servers = joinServers(request, target);
            servers.remove(serverName);
            if (!servers.isEmpty() && remoteServers.get().available()) {
                if (requester.guest()) throw new MatrixException(org.callhs.core.error.ErrCode.FORBIDDEN, 403, "Guests cannot join rooms on other servers");
                if (remoteJoiner.join(requester.userId(), roomId, servers, joinContent(request, requester),
                        () -> residentHere(roomId)).isPresent()) {
                    database.transaction(tx -> {
                        forgotten.remember(tx, requester.userId(), roomId);
                        return null;
                    });
                    return ApiResponse.ok(Json.object().put("room_id", roomId));
                }
                // Another local user's join made this server resident meanwhile: the join is written here.
            }
        }
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Unknown room");
        if (requester.guest()) {
            String access = reader.stateEvent(reader.currentState(roomId), "m.room.guest_access", "")
                    .map(e -> e.pdu().path("content").path("guest_access").asText()).orElse("forbidden");
            if (!access.equals("can_join")) throw new MatrixException(org.callhs.core.error.ErrCode.FORBIDDEN, 403, "Guest access not allowed");
        }
        ObjectNode content = joinContent(request, requester);
        boolean alreadyJoined = reader.stateEvent(reader.currentState(roomId), "m.room.member", requester.userId())
                .filter(e -> e.pdu().path("content").equals(content)).isPresent();
        if (!alreadyJoined) {
            writer.send(new EventDraft(roomId, requester.userId(), requester.deviceId(), null, "m.room.member", requester.userId(),
                    content, Json.object()));
        }
        database.transaction(tx -> {
            forgotten.remember(tx, requester.userId(), roomId);
            return null;
        });
        return ApiResponse.ok(Json.object().put("room_id", roomId));
    }

    /**
     * The member event's content: the body's keys (Synapse's behaviour: a reason, custom keys,
     * even a per-room display name), with the profile's name and avatar where the body gives none.
     */
    private ObjectNode joinContent(ApiRequest request, Requester requester) {
        ObjectNode content = request.jsonObject().deepCopy();
        content.remove("third_party_signed");
        Bodies.optionalString(content, "reason");
        content.put("membership", "join");
        profiles.find(database.dsl(), requester.userId()).ifPresent(p -> {
            if (p.getDisplayname() != null && !content.has("displayname")) content.put("displayname", p.getDisplayname());
            if (p.getAvatarUrl() != null && !content.has("avatar_url")) content.put("avatar_url", p.getAvatarUrl());
        });
        return content;
    }

    private ApiResponse knock(ApiRequest request, Target target) {
        Requester requester = request.requester();
        String roomId = target.roomId();
        String reason = Bodies.optionalString(request.jsonObject(), "reason");
        blocked.requireNotBlocked(roomId);
        if (!residentHere(roomId)) {
            List<String> servers = joinServers(request, target);
            servers.remove(serverName);
            if (!servers.isEmpty() && remoteServers.get().available()) {
                remoteInvites.knock(requester.userId(), roomId, servers, reason);
                return ApiResponse.ok(Json.object().put("room_id", roomId));
            }
        }
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Unknown room");
        ObjectNode content = Json.object().put("membership", "knock");
        if (reason != null) content.put("reason", reason);
        writer.send(new EventDraft(roomId, requester.userId(), requester.deviceId(), null, "m.room.member", requester.userId(),
                content, Json.object()));
        return ApiResponse.ok(Json.object().put("room_id", roomId));
    }

    private ApiResponse forget(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String userId = request.requester().userId();
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Unknown room");
        String membership = reader.membership(reader.currentState(roomId), userId).orElse("leave");
        if (membership.equals("join") || membership.equals("invite") || membership.equals("knock")) {
            throw new MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 400, "The user is still in the room: leave it first");
        }
        database.transaction(tx -> {
            forgotten.forget(tx, userId, roomId);
            return null;
        });
        return ApiResponse.empty();
    }

    private ApiResponse change(ApiRequest request, String target, String membership) {
        String roomId = RoomEndpoints.roomId(request);
        blocked.requireMembershipAllowed(roomId, membership);
        ObjectNode content = Json.object().put("membership", membership);
        String reason = Bodies.optionalString(request.jsonObject(), "reason");
        if (reason != null) content.put("reason", reason);
        String userId = request.requester().userId();
        if (membership.equals("leave") && target.equals(userId) && remoteInvites.isStub(roomId)) {
            // An invite (or knock) to a room this server is not in: rejected through the inviting server.
            remoteInvites.reject(userId, roomId, reason);
            return ApiResponse.empty();
        }
        EventDraft draft = new EventDraft(roomId, userId, request.requester().deviceId(), null, "m.room.member", target,
                content, Json.object());
        if (membership.equals("invite") && !MatrixIds.serverName(target).equals(serverName) && remoteServers.get().available()) {
            // The invitee's server signs the invite before it is written (spec "Inviting to a room").
            remoteInvites.invite(draft);
            return ApiResponse.empty();
        }
        writer.send(draft);
        return ApiResponse.empty();
    }

    /** A kick of someone who is not in the room (left, banned, never there) is refused, as Synapse does. */
    private ApiResponse kick(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String target = target(request);
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Unknown room");
        String membership = reader.membership(reader.currentState(roomId), target).orElse("leave");
        if (!membership.equals("join") && !membership.equals("invite") && !membership.equals("knock")) {
            throw MatrixException.forbidden("The target user is not in the room");
        }
        return change(request, target, "leave");
    }

    private ApiResponse unban(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String target = target(request);
        String membership = reader.membership(reader.currentState(roomId), target).orElse("");
        if (!membership.equals("ban")) throw MatrixException.forbidden("The user is not banned");
        return change(request, target, "leave");
    }

    private static final java.util.Set<String> MEMBERSHIPS = new java.util.TreeSet<>(java.util.Set.of("join", "invite", "knock", "leave", "ban"));

    private ApiResponse members(ApiRequest request) {
        Map<StateKey, String> state = reader.readableState(RoomEndpoints.roomId(request), request.requester().userId());
        if (request.query("at").isPresent()) {
            long at = MessagesEndpoints.parseToken(request.query("at").get());
            List<PersistedEvent> latest = reader.backwards(RoomEndpoints.roomId(request), at, 0, 1);
            if (!latest.isEmpty() && !latest.get(0).eventId().equals(state.get(StateKey.of("m.room.member", request.requester().userId())))) {
                Map<StateKey, String> then = reader.stateAt(latest.get(0).eventId(), true);
                String mine = then.get(StateKey.of("m.room.member", request.requester().userId()));
                if (mine != null) state = then;
            }
        }
        String only = request.query("membership").orElse(null);
        String not = request.query("not_membership").orElse(null);
        for (String value : new String[] {only, not}) {
            if (value != null && !MEMBERSHIPS.contains(value)) {
                throw MatrixException.invalidParam("membership filters must be one of " + MEMBERSHIPS);
            }
        }
        List<String> ids = state.entrySet().stream().filter(e -> e.getKey().type().equals("m.room.member")).map(Map.Entry::getValue).toList();
        ArrayNode chunk = Json.array();
        for (PersistedEvent event : reader.events(ids)) {
            String membership = event.pdu().path("content").path("membership").asText();
            if ((only == null || only.equals(membership)) && (not == null || !not.equals(membership))) {
                chunk.add(clientEvents.render(event, request.requester()));
            }
        }
        ObjectNode body = Json.object();
        body.set("chunk", chunk);
        return ApiResponse.ok(body);
    }

    private ApiResponse joinedMembers(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        // Current members only (as Synapse): a former member reads /members as it was instead.
        if (!reader.membership(reader.currentState(roomId), request.requester().userId()).orElse("").equals("join")) {
            throw MatrixException.forbidden("Only current members of the room may list its joined members");
        }
        Map<StateKey, String> state = reader.currentState(roomId);
        List<String> ids = state.entrySet().stream().filter(e -> e.getKey().type().equals("m.room.member")).map(Map.Entry::getValue).toList();
        ObjectNode joined = Json.object();
        for (PersistedEvent event : reader.events(ids)) {
            var content = event.pdu().path("content");
            if (!content.path("membership").asText().equals("join")) continue;
            ObjectNode member = joined.putObject(event.stateKey());
            // Optional strings: left out when unset (the spec allows no null here).
            if (content.path("displayname").isTextual()) member.set("display_name", content.get("displayname"));
            if (content.path("avatar_url").isTextual()) member.set("avatar_url", content.get("avatar_url"));
        }
        return ApiResponse.ok(Json.object().set("joined", joined));
    }
}
