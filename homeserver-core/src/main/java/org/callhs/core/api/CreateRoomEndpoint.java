package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.RoomCreator;
import org.callhs.core.room.remote.RemoteInvites;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * {@code POST /createRoom} (Client-Server API "Creation"): presets, {@code visibility},
 * {@code room_alias_name} (400 {@code M_ROOM_IN_USE} when taken), {@code name},
 * {@code topic}, {@code invite} (local users invited in the creation batch, users of other
 * servers invited over federation right after it, as Synapse does: a refused remote invite
 * fails the request, the room stays), {@code initial_state}, {@code power_level_content_override},
 * {@code creation_content}, {@code room_version} (400 {@code M_UNSUPPORTED_ROOM_VERSION}),
 * {@code is_direct}. The default preset follows {@code visibility}, as the spec says.
 */
public final class CreateRoomEndpoint implements Routes {
    private static final Set<String> PRESETS = Set.of("private_chat", "public_chat", "trusted_private_chat");
    private final RoomCreator creator;
    private final Database database;
    private final ProfileRepository profiles;
    private final RoomAliasRepository aliases;
    private final RoomRepository rooms;
    private final String serverName;
    private final String defaultVersion;
    private final RemoteInvites remoteInvites;
    private final Supplier<RemoteServers> remoteServers;

    public CreateRoomEndpoint(RoomCreator creator, Database database, ProfileRepository profiles, RoomAliasRepository aliases,
                              RoomRepository rooms, String serverName, String defaultVersion, RemoteInvites remoteInvites,
                              Supplier<RemoteServers> remoteServers) {
        this.creator = creator;
        this.database = database;
        this.profiles = profiles;
        this.aliases = aliases;
        this.rooms = rooms;
        this.serverName = serverName;
        this.defaultVersion = defaultVersion;
        this.remoteInvites = remoteInvites;
        this.remoteServers = remoteServers;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/createRoom", AuthKind.USER, "room_creation", this::create);
    }

    private ApiResponse create(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode body = request.requiredJsonObject();
        String visibility = Bodies.optionalString(body, "visibility");
        if (visibility != null && !visibility.equals("public") && !visibility.equals("private")) {
            throw MatrixException.invalidParam("visibility must be public or private");
        }
        boolean isPublic = "public".equals(visibility);
        String preset = Bodies.optionalString(body, "preset");
        if (preset == null) preset = isPublic ? "public_chat" : "private_chat";
        if (!PRESETS.contains(preset)) throw MatrixException.invalidParam("Unknown preset " + preset);
        String versionId = Bodies.optionalString(body, "room_version");
        RoomVersion version = RoomVersion.require(versionId == null ? defaultVersion : versionId);
        String aliasName = Bodies.optionalString(body, "room_alias_name");
        String alias = aliasName == null ? null : creator.aliasFor(aliasName);
        String name = Bodies.optionalString(body, "name");
        String topic = Bodies.optionalString(body, "topic");
        boolean isDirect = Bodies.optionalBoolean(body, "is_direct", false);
        List<String> invites = invites(body, requester.userId());
        ObjectNode creationContent = Bodies.optionalObject(body, "creation_content");
        if (creationContent != null && creationContent.has("additional_creators") && version.creatorsHaveInfinitePower()) {
            com.fasterxml.jackson.databind.JsonNode creators = creationContent.get("additional_creators");
            if (!creators.isArray()) throw MatrixException.badJson("creation_content.additional_creators must be an array of user IDs");
            for (com.fasterxml.jackson.databind.JsonNode creator : creators) {
                if (!creator.isTextual()) throw MatrixException.badJson("creation_content.additional_creators must be an array of user IDs");
                if (!MatrixIds.isValidUserId(creator.textValue())) {
                    throw MatrixException.invalidParam("creation_content.additional_creators: not a user ID: " + creator.textValue());
                }
            }
        }
        ObjectNode override = Bodies.optionalObject(body, "power_level_content_override");
        List<ObjectNode> initialState = initialState(body);
        if (alias != null && aliases.roomId(database.dsl(), alias).isPresent()) {
            throw new MatrixException("M_ROOM_IN_USE", 400, "Room alias already taken");
        }
        var profile = profiles.find(database.dsl(), requester.userId());
        String roomId = creator.create(new RoomCreator.Request(requester.userId(),
                profile.map(p -> p.getDisplayname()).orElse(null), profile.map(p -> p.getAvatarUrl()).orElse(null),
                version, preset, isPublic, alias, name, topic, invites, isDirect, creationContent, override, initialState));
        database.transaction(tx -> {
            if (isPublic) rooms.setPublic(tx, roomId, true);
            if (alias != null && !aliases.insert(tx, alias, roomId, requester.userId())) {
                throw new MatrixException("M_ROOM_IN_USE", 400, "Room alias already taken");
            }
            return null;
        });
        for (String invitee : invites) {
            if (MatrixIds.serverName(invitee).equals(serverName)) continue;
            ObjectNode content = Json.object().put("membership", "invite");
            if (isDirect) content.put("is_direct", true);
            // The invitee's server signs the invite before it is written (spec "Inviting to a room").
            remoteInvites.invite(new EventDraft(roomId, requester.userId(), requester.deviceId(), null, "m.room.member", invitee,
                    content, Json.object()));
        }
        ObjectNode out = Json.object().put("room_id", roomId);
        if (alias != null) out.put("room_alias", alias);
        return ApiResponse.ok(out);
    }

    private List<String> invites(ObjectNode body, String creatorId) {
        JsonNode node = body.get("invite");
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) return out;
        if (!node.isArray()) throw MatrixException.badJson("invite must be an array of user IDs");
        for (JsonNode user : node) {
            if (!user.isTextual() || !MatrixIds.isValidUserId(user.textValue())) throw MatrixException.invalidParam("Invalid user ID in invite");
            if (!MatrixIds.serverName(user.textValue()).equals(serverName) && !remoteServers.get().available()) {
                throw MatrixException.invalidParam("Inviting users of other servers needs federation, which is not enabled here");
            }
            if (!user.textValue().equals(creatorId) && !out.contains(user.textValue())) out.add(user.textValue());
        }
        return out;
    }

    private static List<ObjectNode> initialState(ObjectNode body) {
        JsonNode node = body.get("initial_state");
        List<ObjectNode> out = new ArrayList<>();
        if (node == null || node.isNull()) return out;
        if (!node.isArray()) throw MatrixException.badJson("initial_state must be an array");
        for (JsonNode event : node) {
            if (!event.isObject() || !event.path("type").isTextual() || !event.path("content").isObject()
                    || (event.has("state_key") && !event.get("state_key").isTextual())) {
                throw MatrixException.badJson("initial_state entries need a string type, an object content and a string state_key");
            }
            if (Set.of("m.room.create", "m.room.member", "m.room.power_levels").contains(event.get("type").asText())) {
                throw MatrixException.invalidParam("initial_state may not set " + event.get("type").asText());
            }
            out.add((ObjectNode) event);
        }
        return out;
    }
}
