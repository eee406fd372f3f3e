package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.account.Tokens;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;
import org.callhs.core.util.MatrixIds;

/**
 * {@code POST /createRoom}: turns the request into the room's first events, in Synapse's
 * order: create, the creator's join, power levels (preset defaults, then
 * {@code power_level_content_override}), canonical alias, join rules, history visibility,
 * guest access, {@code initial_state}, name, topic, then one invite per invitee. All of them
 * are written in one transaction, so a refused event leaves no half-made room.
 */
public final class RoomCreator {
    /** What the request asked for, already validated by the endpoint. */
    public record Request(String creator, String creatorDisplayname, String creatorAvatarUrl, RoomVersion version,
                          String preset, boolean isPublic, String alias, String name, String topic, List<String> invites,
                          boolean isDirect, ObjectNode creationContent, ObjectNode powerLevelOverride, List<ObjectNode> initialState) {}

    private final String serverName;
    private final RoomWriter writer;

    public RoomCreator(String serverName, RoomWriter writer) {
        this.serverName = serverName;
        this.writer = writer;
    }

    /** Creates the room and returns its ID. */
    public String create(Request r) {
        ObjectNode createContent = r.creationContent() == null ? Json.object() : r.creationContent().deepCopy();
        createContent.put("room_version", r.version().id());
        if (!r.version().creatorIsCreateSender()) createContent.put("creator", r.creator());
        if (r.version().creatorsHaveInfinitePower() && r.preset().equals("trusted_private_chat") && !r.invites().isEmpty()) {
            ArrayNode additional = createContent.withArray("additional_creators");
            r.invites().forEach(additional::add);
        }
        String proposedId = "!" + Tokens.random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 18) + ":" + serverName;
        EventDraft create = new EventDraft(proposedId, r.creator(), null, null, "m.room.create", "", createContent, Json.object());
        List<PersistedEvent> events = writer.createRoom(r.version(), proposedId, create, roomId -> followUps(roomId, r, createContent));
        return events.get(0).roomId();
    }

    private List<EventDraft> followUps(String roomId, Request r, ObjectNode createContent) {
        List<EventDraft> drafts = new ArrayList<>();
        ObjectNode join = Json.object().put("membership", "join");
        if (r.creatorDisplayname() != null) join.put("displayname", r.creatorDisplayname());
        if (r.creatorAvatarUrl() != null) join.put("avatar_url", r.creatorAvatarUrl());
        drafts.add(state(roomId, r.creator(), "m.room.member", r.creator(), join));
        drafts.add(state(roomId, r.creator(), "m.room.power_levels", "", powerLevels(r, createContent)));
        if (r.alias() != null) drafts.add(state(roomId, r.creator(), "m.room.canonical_alias", "", Json.object().put("alias", r.alias())));
        Map<String, ObjectNode> presetState = new LinkedHashMap<>();
        presetState.put("m.room.join_rules", Json.object().put("join_rule", r.preset().equals("public_chat") ? "public" : "invite"));
        presetState.put("m.room.history_visibility", Json.object().put("history_visibility", "shared"));
        if (!r.preset().equals("public_chat")) presetState.put("m.room.guest_access", Json.object().put("guest_access", "can_join"));
        Map<List<String>, ObjectNode> initial = new LinkedHashMap<>();
        for (ObjectNode event : r.initialState()) {
            initial.put(List.of(event.get("type").asText(), event.path("state_key").asText("")), (ObjectNode) event.get("content"));
        }
        presetState.forEach((type, content) -> {
            if (!initial.containsKey(List.of(type, ""))) drafts.add(state(roomId, r.creator(), type, "", content));
        });
        initial.forEach((key, content) -> drafts.add(state(roomId, r.creator(), key.get(0), key.get(1), content)));
        if (r.name() != null) drafts.add(state(roomId, r.creator(), "m.room.name", "", Json.object().put("name", r.name())));
        if (r.topic() != null) drafts.add(state(roomId, r.creator(), "m.room.topic", "", topicContent(r.topic())));
        for (String invitee : r.invites()) {
            // Users of other servers are invited over federation once the room exists (their server signs the invite).
            if (!MatrixIds.serverName(invitee).equals(serverName)) continue;
            ObjectNode invite = Json.object().put("membership", "invite");
            if (r.isDirect()) invite.put("is_direct", true);
            drafts.add(state(roomId, r.creator(), "m.room.member", invitee, invite));
        }
        return drafts;
    }

    /**
     * An {@code m.room.topic} content for a plain-text topic: {@code topic}, and the rich form
     * {@code m.topic} with one {@code text/plain} block (spec v1.15 "m.room.topic"; {@code createRoom}'s
     * {@code topic} parameter sends a {@code text/plain} topic).
     */
    static ObjectNode topicContent(String topic) {
        ObjectNode content = Json.object().put("topic", topic);
        content.putObject("m.topic").putArray("m.text").addObject().put("mimetype", "text/plain").put("body", topic);
        return content;
    }

    private static ObjectNode powerLevels(Request r, ObjectNode createContent) {
        ObjectNode pl = Json.object();
        ObjectNode users = pl.putObject("users");
        if (!r.version().creatorsHaveInfinitePower()) users.put(r.creator(), 100);
        if (r.preset().equals("trusted_private_chat") && !r.version().creatorsHaveInfinitePower()) {
            r.invites().forEach(u -> users.put(u, 100));
        }
        pl.put("users_default", 0);
        ObjectNode events = pl.putObject("events");
        events.put("m.room.name", 50);
        events.put("m.room.power_levels", 100);
        events.put("m.room.history_visibility", 100);
        events.put("m.room.canonical_alias", 50);
        events.put("m.room.avatar", 50);
        // v12: creators outrank everyone, and the tombstone must explicitly need more than state_default (spec createRoom, 150).
        events.put("m.room.tombstone", r.version().creatorsHaveInfinitePower() ? 150 : 100);
        events.put("m.room.server_acl", 100);
        events.put("m.room.encryption", 100);
        pl.put("events_default", 0);
        pl.put("state_default", 50);
        pl.put("ban", 50);
        pl.put("kick", 50);
        pl.put("redact", 50);
        pl.put("invite", 0);
        pl.putObject("notifications").put("room", 50);
        if (r.powerLevelOverride() != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = r.powerLevelOverride().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                pl.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return pl;
    }

    private static EventDraft state(String roomId, String sender, String type, String key, ObjectNode content) {
        return new EventDraft(roomId, sender, null, null, type, key, content, Json.object());
    }

    /** {@code #localpart:server} for a {@code room_alias_name}, validated. */
    public String aliasFor(String aliasName) {
        if (aliasName.isEmpty() || aliasName.contains(":") || aliasName.contains("#") || aliasName.chars().anyMatch(Character::isWhitespace)) {
            throw MatrixException.invalidParam("Invalid room_alias_name");
        }
        String alias = "#" + aliasName + ":" + serverName;
        if (alias.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MatrixIds.MAX_ID_BYTES) {
            throw MatrixException.invalidParam("Alias longer than 255 bytes");
        }
        return alias;
    }
}
