package org.callhs.core.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.BlockedRooms;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.RoomCreator;
import org.callhs.core.room.RoomDeparture;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.RoomWriter;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ForgottenRoomRepository;
import org.callhs.core.storage.repo.ProfileRepository;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shuts a room down for this server, as Synapse's room deletion does before it purges: blocks it
 * if asked (even a room this server does not know), makes every local user who is joined,
 * invited or knocking leave as themselves and forgets the room for them, and, given a
 * {@code new_room_user_id}, creates a public room where that user (power 100, everyone else
 * -10) explains why, joins the users who were joined there and points the room's local aliases
 * at it. Users of other servers are untouched. Every step can run again after an interruption:
 * users already gone are skipped and a new room already made is reused.
 */
public final class RoomShutdown {
    private static final Logger log = LoggerFactory.getLogger(RoomShutdown.class);
    static final String DEFAULT_MESSAGE = "Sharing illegal content on this server is not permitted and rooms in violation will be blocked.";
    static final String DEFAULT_ROOM_NAME = "Content Violation Notification";
    private static final List<String> PRESENT = List.of("join", "invite", "knock");

    /** What the admin asked for; {@code newRoomUserId}, {@code roomName} and {@code message} may be null. */
    public record Params(String requester, String newRoomUserId, String roomName, String message, boolean block, boolean purge,
                         boolean forcePurge) {
        ObjectNode toJson() {
            ObjectNode json = Json.object().put("requester_user_id", requester).put("new_room_user_id", newRoomUserId)
                    .put("room_name", roomName).put("message", message).put("block", block).put("purge", purge);
            return json.put("force_purge", forcePurge);
        }

        static Params fromJson(JsonNode json) {
            return new Params(json.path("requester_user_id").asText(), text(json, "new_room_user_id"), text(json, "room_name"),
                    text(json, "message"), json.path("block").asBoolean(), json.path("purge").asBoolean(),
                    json.path("force_purge").asBoolean());
        }

        private static String text(JsonNode json, String key) {
            JsonNode value = json.get(key);
            return value == null || !value.isTextual() ? null : value.textValue();
        }
    }

    /** Synapse's {@code shutdown_room} answer: who was moved out, who could not be, the aliases moved and the new room. */
    public record Result(List<String> kickedUsers, List<String> failedToKickUsers, List<String> localAliases, String newRoomId) {
        static Result empty() {
            return new Result(List.of(), List.of(), List.of(), null);
        }

        ObjectNode toJson() {
            ObjectNode json = Json.object();
            kickedUsers.forEach(json.putArray("kicked_users")::add);
            failedToKickUsers.forEach(json.putArray("failed_to_kick_users")::add);
            localAliases.forEach(json.putArray("local_aliases")::add);
            return json.put("new_room_id", newRoomId);
        }

        static Result fromJson(JsonNode json) {
            return new Result(strings(json.path("kicked_users")), strings(json.path("failed_to_kick_users")),
                    strings(json.path("local_aliases")), json.path("new_room_id").isTextual() ? json.path("new_room_id").textValue() : null);
        }

        private static List<String> strings(JsonNode array) {
            List<String> out = new ArrayList<>();
            array.forEach(v -> out.add(v.asText()));
            return List.copyOf(out);
        }
    }

    private final Database database;
    private final String serverName;
    private final RoomVersion newRoomVersion;
    private final BlockedRooms blocked;
    private final RoomReader reader;
    private final RoomWriter writer;
    private final RoomCreator creator;
    private final RoomDeparture departure;
    private final ProfileRepository profiles;
    private final RoomAliasRepository aliases;
    private final ForgottenRoomRepository forgotten;

    public RoomShutdown(Database database, String serverName, RoomVersion newRoomVersion, BlockedRooms blocked, RoomReader reader,
                        RoomWriter writer, RoomCreator creator, RoomDeparture departure, ProfileRepository profiles,
                        RoomAliasRepository aliases, ForgottenRoomRepository forgotten) {
        this.database = database;
        this.serverName = serverName;
        this.newRoomVersion = newRoomVersion;
        this.blocked = blocked;
        this.reader = reader;
        this.writer = writer;
        this.creator = creator;
        this.departure = departure;
        this.profiles = profiles;
        this.aliases = aliases;
        this.forgotten = forgotten;
    }

    /**
     * Shuts the room down, continuing {@code soFar} (empty for a first run); {@code progress}
     * hears the result after each step. Creating the new room or sending its message may fail
     * (thrown); a user who cannot be moved is listed in {@code failed_to_kick_users}.
     */
    public Result shutdown(String roomId, Params params, Result soFar, Consumer<Result> progress) {
        if (params.block()) blocked.block(roomId, params.requester());
        if (reader.room(roomId).isEmpty()) return soFar;
        List<String> kicked = new ArrayList<>(soFar.kickedUsers());
        List<String> failed = new ArrayList<>(soFar.failedToKickUsers());
        String newRoomId = soFar.newRoomId();
        String newRoomUser = params.newRoomUserId();
        if (newRoomUser != null && newRoomId == null) {
            newRoomId = createNewRoom(newRoomUser, params.roomName() == null || params.roomName().isEmpty()
                    ? DEFAULT_ROOM_NAME : params.roomName());
            progress.accept(new Result(List.copyOf(kicked), List.copyOf(failed), soFar.localAliases(), newRoomId));
            log.info("shutting down room {}, moving its users to {}", roomId, newRoomId);
        } else {
            log.info("shutting down room {}", roomId);
        }
        for (String membership : PRESENT) {
            for (String userId : reader.members(roomId, membership)) {
                if (!MatrixIds.isValidUserId(userId) || !MatrixIds.serverName(userId).equals(serverName)) continue;
                try {
                    departure.leave(userId, roomId, null);
                    database.transaction(tx -> {
                        forgotten.forget(tx, userId, roomId);
                        return null;
                    });
                    if (newRoomId != null && membership.equals("join")) join(userId, newRoomId);
                    kicked.add(userId);
                } catch (RuntimeException e) {
                    log.warn("could not move {} out of {}: {}", userId, roomId, e.toString());
                    failed.add(userId);
                }
                progress.accept(new Result(List.copyOf(kicked), List.copyOf(failed), soFar.localAliases(), newRoomId));
            }
        }
        List<String> moved = List.of();
        if (newRoomId != null) {
            String message = params.message() == null || params.message().isEmpty() ? DEFAULT_MESSAGE : params.message();
            writer.send(new EventDraft(newRoomId, newRoomUser, null, null, "m.room.message", null,
                    Json.object().put("msgtype", "m.text").put("body", message), Json.object()));
            String target = newRoomId;
            moved = database.transaction(tx -> aliases.moveAll(tx, roomId, target));
        }
        Result done = new Result(List.copyOf(kicked), List.copyOf(failed), moved, newRoomId);
        progress.accept(done);
        return done;
    }

    private String createNewRoom(String creatorId, String name) {
        var profile = profiles.find(database.dsl(), creatorId);
        ObjectNode powerLevels = Json.object().put("users_default", -10);
        return creator.create(new RoomCreator.Request(creatorId, profile.map(p -> p.getDisplayname()).orElse(null),
                profile.map(p -> p.getAvatarUrl()).orElse(null), newRoomVersion, "public_chat", false, null, name, null, List.of(),
                false, null, powerLevels, List.of()));
    }

    private void join(String userId, String roomId) {
        ObjectNode content = Json.object().put("membership", "join");
        profiles.find(database.dsl(), userId).ifPresent(p -> {
            if (p.getDisplayname() != null) content.put("displayname", p.getDisplayname());
            if (p.getAvatarUrl() != null) content.put("avatar_url", p.getAvatarUrl());
        });
        writer.send(new EventDraft(roomId, userId, null, null, "m.room.member", userId, content, Json.object()));
    }
}
