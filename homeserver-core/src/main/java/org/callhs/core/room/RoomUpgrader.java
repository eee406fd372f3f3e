package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomAliasRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades a room (<a href="https://spec.matrix.org/v1.16/client-server-api/#room-upgrades">spec</a>),
 * the way Synapse does:
 * <ol>
 * <li>the new room is made in one transaction: a create event with the old one's content (its
 *     {@code type}, {@code m.federate}, ...), the new version and a {@code predecessor}
 *     ({@code room_id}, and {@code event_id}: the old room's newest event); the upgrader's
 *     join; the old power levels (raised for the upgrader while the state is copied when they
 *     could not send it all, then put back; in v12 creators are left out of {@code users}, and
 *     a v12 room's creators are put in at 100 when the new version gives creators no special
 *     power); the old room's join rules, history visibility, guest access, name, topic, avatar,
 *     encryption, server ACL, pinned events, canonical alias, space children and parents; its
 *     bans; and its pending invites of this server's users;
 * <li>invites of other servers' users are sent again, over federation;
 * <li>the old room's local aliases move to the new room, which also takes its place in the
 *     public directory, and the old room's canonical alias event is emptied;
 * <li>the old room gets an {@code m.room.tombstone} pointing at the new one, and its power
 *     levels are raised so that ordinary members can no longer send or invite
 *     ({@code events_default} and {@code invite} to at least 50 and above {@code users_default}).
 * </ol>
 * Only a joined user who may send {@code m.room.tombstone} may upgrade (403 otherwise).
 */
public final class RoomUpgrader {
    private static final Logger log = LoggerFactory.getLogger(RoomUpgrader.class);
    private static final List<String> COPIED = List.of("m.room.join_rules", "m.room.history_visibility", "m.room.guest_access",
            "m.room.name", "m.room.topic", "m.room.avatar", "m.room.encryption", "m.room.server_acl", "m.room.pinned_events",
            "m.room.canonical_alias", "m.space.child", "m.space.parent");
    private static final Set<String> CREATE_KEYS_DROPPED = Set.of("creator", "room_version", "predecessor", "additional_creators");

    private final String serverName;
    private final Database database;
    private final RoomRepository rooms;
    private final RoomAliasRepository aliases;
    private final RoomWriter writer;
    private final RoomReader reader;
    private final Consumer<EventDraft> remoteInvite;

    /** @param remoteInvite invites a user of another server (their server signs the invite) */
    public RoomUpgrader(String serverName, Database database, RoomRepository rooms, RoomAliasRepository aliases, RoomWriter writer,
                        RoomReader reader, Consumer<EventDraft> remoteInvite) {
        this.serverName = serverName;
        this.database = database;
        this.rooms = rooms;
        this.aliases = aliases;
        this.writer = writer;
        this.reader = reader;
        this.remoteInvite = remoteInvite;
    }

    /** Upgrades the room and returns the new room's ID. */
    public String upgrade(String userId, String deviceId, String oldRoomId, RoomVersion version, List<String> additionalCreators) {
        if (!reader.access(oldRoomId, userId).joined()) throw MatrixException.forbidden("You are not joined to this room");
        // The auth rules decide, against the current state, before anything is made: builds (and drops) the tombstone.
        writer.prepare(tombstone(oldRoomId, userId, deviceId, "!pending:" + serverName));
        Map<StateKey, String> state = reader.currentState(oldRoomId);
        PersistedEvent oldCreate = reader.stateEvent(state, "m.room.create", "").orElseThrow();
        RoomVersion oldVersion = oldCreate.version();
        Set<String> creators = new LinkedHashSet<>();
        creators.add(userId);
        if (version.creatorsHaveInfinitePower()) creators.addAll(additionalCreators);

        ObjectNode createContent = Json.object();
        for (Iterator<Map.Entry<String, JsonNode>> it = oldCreate.pdu().path("content").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!CREATE_KEYS_DROPPED.contains(field.getKey())) createContent.set(field.getKey(), field.getValue().deepCopy());
        }
        createContent.put("room_version", version.id());
        if (!version.creatorIsCreateSender()) createContent.put("creator", userId);
        if (version.creatorsHaveInfinitePower() && !additionalCreators.isEmpty()) {
            var list = createContent.putArray("additional_creators");
            additionalCreators.forEach(list::add);
        }
        String lastEvent = reader.backwards(oldRoomId, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 1).stream().map(PersistedEvent::eventId)
                .findFirst().orElse(null);
        ObjectNode predecessor = createContent.putObject("predecessor").put("room_id", oldRoomId);
        if (lastEvent != null) predecessor.put("event_id", lastEvent);

        ObjectNode finalPowerLevels = powerLevels(state, oldVersion, version, creators, oldCreate);
        ObjectNode setupPowerLevels = version.creatorsHaveInfinitePower() ? finalPowerLevels : raisedFor(finalPowerLevels, userId);
        List<String> remoteInvitees = new ArrayList<>();
        String proposedId = "!" + org.callhs.core.account.Tokens.random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 18)
                + ":" + serverName;
        EventDraft create = new EventDraft(proposedId, userId, deviceId, null, "m.room.create", "", createContent, Json.object());
        List<PersistedEvent> created = writer.createRoom(version, proposedId, create, roomId -> {
            List<EventDraft> drafts = new ArrayList<>();
            ObjectNode join = Json.object().put("membership", "join");
            reader.stateEvent(state, "m.room.member", userId).ifPresent(member -> {
                JsonNode content = member.pdu().path("content");
                if (content.path("displayname").isTextual()) join.set("displayname", content.get("displayname"));
                if (content.path("avatar_url").isTextual()) join.set("avatar_url", content.get("avatar_url"));
            });
            drafts.add(state(roomId, userId, "m.room.member", userId, join));
            drafts.add(state(roomId, userId, "m.room.power_levels", "", setupPowerLevels));
            for (Map.Entry<StateKey, String> entry : state.entrySet()) {
                if (!COPIED.contains(entry.getKey().type())) continue;
                reader.event(entry.getValue()).ifPresent(e -> {
                    ObjectNode content = (ObjectNode) e.pdu().path("content").deepCopy();
                    if (!content.isEmpty()) drafts.add(state(roomId, userId, entry.getKey().type(), entry.getKey().stateKey(), content));
                });
            }
            for (Map.Entry<StateKey, String> entry : state.entrySet()) {
                if (!entry.getKey().type().equals("m.room.member") || entry.getKey().stateKey().equals(userId)) continue;
                String member = entry.getKey().stateKey();
                reader.event(entry.getValue()).ifPresent(e -> {
                    String membership = e.pdu().path("content").path("membership").asText();
                    if (membership.equals("ban")) {
                        ObjectNode ban = Json.object().put("membership", "ban");
                        if (e.pdu().path("content").path("reason").isTextual()) ban.set("reason", e.pdu().path("content").get("reason"));
                        drafts.add(state(roomId, userId, "m.room.member", member, ban));
                    } else if (membership.equals("invite")) {
                        if (!MatrixIds.isValidUserId(member) || !MatrixIds.serverName(member).equals(serverName)) {
                            remoteInvitees.add(member);
                            return;
                        }
                        ObjectNode invite = Json.object().put("membership", "invite");
                        if (e.pdu().path("content").path("is_direct").isBoolean()) invite.set("is_direct", e.pdu().path("content").get("is_direct"));
                        drafts.add(state(roomId, userId, "m.room.member", member, invite));
                    }
                });
            }
            if (setupPowerLevels != finalPowerLevels) drafts.add(state(roomId, userId, "m.room.power_levels", "", finalPowerLevels));
            return drafts;
        });
        String newRoomId = created.get(0).roomId();

        for (String invitee : remoteInvitees) {
            try {
                remoteInvite.accept(new EventDraft(newRoomId, userId, deviceId, null, "m.room.member", invitee,
                        Json.object().put("membership", "invite"), Json.object()));
            } catch (RuntimeException e) {
                log.info("could not invite {} to upgraded room {}: {}", invitee, newRoomId, e.getMessage());
            }
        }
        database.transaction(tx -> {
            aliases.moveAll(tx, oldRoomId, newRoomId);
            boolean wasPublic = rooms.find(tx, oldRoomId).map(r -> r.getIsPublic()).orElse(false);
            if (wasPublic) {
                rooms.setPublic(tx, newRoomId, true);
                rooms.setPublic(tx, oldRoomId, false);
            }
            return null;
        });
        reader.stateEvent(state, "m.room.canonical_alias", "").filter(e -> !e.pdu().path("content").isEmpty())
                .ifPresent(e -> sendQuietly(state(oldRoomId, userId, "m.room.canonical_alias", "", Json.object())));
        writer.send(tombstone(oldRoomId, userId, deviceId, newRoomId));
        restrict(oldRoomId, userId, deviceId);
        return newRoomId;
    }

    private static EventDraft tombstone(String roomId, String userId, String deviceId, String replacement) {
        ObjectNode content = Json.object().put("body", "This room has been replaced").put("replacement_room", replacement);
        return new EventDraft(roomId, userId, deviceId, null, "m.room.tombstone", "", content, Json.object());
    }

    /** The old room's power levels, fixed up for the new version (integers; creators placed as the versions need). */
    private ObjectNode powerLevels(Map<StateKey, String> state, RoomVersion oldVersion, RoomVersion version, Set<String> creators,
                                   PersistedEvent oldCreate) {
        ObjectNode pl = reader.stateEvent(state, "m.room.power_levels", "")
                .map(e -> integers((ObjectNode) e.pdu().path("content").deepCopy())).orElseGet(Json::object);
        ObjectNode users = pl.get("users") instanceof ObjectNode u ? u : pl.putObject("users");
        if (version.creatorsHaveInfinitePower()) {
            creators.forEach(users::remove);
            ObjectNode events = pl.get("events") instanceof ObjectNode e ? e : pl.putObject("events");
            long stateDefault = pl.path("state_default").asLong(50);
            if (events.path("m.room.tombstone").asLong(stateDefault) <= stateDefault) events.put("m.room.tombstone", Math.max(150, stateDefault + 1));
        } else if (oldVersion.creatorsHaveInfinitePower()) {
            Set<String> oldCreators = new LinkedHashSet<>();
            oldCreators.add(oldCreate.sender());
            oldCreate.pdu().path("content").path("additional_creators").forEach(c -> oldCreators.add(c.asText()));
            for (String creator : oldCreators) if (!users.has(creator)) users.put(creator, 100);
        }
        return pl;
    }

    /** A copy of the power levels in which the user can send every state event and ban, or the same object when they already can. */
    private static ObjectNode raisedFor(ObjectNode pl, String userId) {
        long needed = Math.max(pl.path("state_default").asLong(50), pl.path("ban").asLong(50));
        needed = Math.max(needed, pl.path("invite").asLong(0));
        for (JsonNode level : pl.path("events")) needed = Math.max(needed, level.asLong(0));
        long mine = pl.path("users").has(userId) ? pl.path("users").path(userId).asLong() : pl.path("users_default").asLong(0);
        if (mine >= needed) return pl;
        ObjectNode raised = pl.deepCopy();
        ((ObjectNode) raised.get("users")).put(userId, needed);
        return raised;
    }

    /** Power-level values as integers (older room versions allowed numeric strings). */
    private static ObjectNode integers(ObjectNode pl) {
        for (Iterator<Map.Entry<String, JsonNode>> it = pl.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (value.isTextual()) {
                try {
                    field.setValue(Json.object().numberNode(Long.parseLong(value.textValue().trim())));
                } catch (NumberFormatException e) {
                    it.remove();
                }
            } else if (value instanceof ObjectNode nested && Set.of("events", "users", "notifications").contains(field.getKey())) {
                integers(nested);
            }
        }
        return pl;
    }

    /** Stops ordinary members sending to or inviting into the old room, when the upgrader may change its power levels. */
    private void restrict(String roomId, String userId, String deviceId) {
        Map<StateKey, String> state = reader.currentState(roomId);
        ObjectNode pl = reader.stateEvent(state, "m.room.power_levels", "")
                .map(e -> integers((ObjectNode) e.pdu().path("content").deepCopy())).orElse(null);
        if (pl == null) return;
        long restricted = Math.max(50, pl.path("users_default").asLong(0) + 1);
        boolean changed = false;
        for (String key : List.of("events_default", "invite")) {
            if (pl.path(key).asLong(0) < restricted) {
                pl.put(key, restricted);
                changed = true;
            }
        }
        if (changed) sendQuietly(new EventDraft(roomId, userId, deviceId, null, "m.room.power_levels", "", pl, Json.object()));
    }

    private void sendQuietly(EventDraft draft) {
        try {
            writer.send(draft);
        } catch (MatrixException e) {
            log.info("upgrade: could not send {} in {}: {}", draft.type(), draft.roomId(), e.getMessage());
        }
    }

    private static EventDraft state(String roomId, String sender, String type, String key, ObjectNode content) {
        return new EventDraft(roomId, sender, null, null, type, key, content, Json.object());
    }
}
