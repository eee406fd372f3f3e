package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.Json;

/**
 * What someone outside a room may learn of it, and whether they may (the spec's "potential
 * joiner" rule for {@code /room_summary} and {@code /hierarchy}): anyone when the join rule is
 * {@code public}, {@code knock} or {@code knock_restricted} or the history is
 * {@code world_readable}; a signed-in user also when joined or invited, or when a restricted join
 * rule allows a room they are joined to.
 */
public final class RoomPreview {
    private static final List<String> OPEN_JOIN_RULES = List.of("public", "knock", "knock_restricted");

    private final RoomReader reader;

    public RoomPreview(RoomReader reader) {
        this.reader = reader;
    }

    /**
     * The public-directory description of a room (the spec's {@code PublishedRoomsChunk}):
     * {@code room_id}, {@code name}, {@code topic}, {@code canonical_alias}, {@code avatar_url},
     * {@code join_rule}, {@code world_readable}, {@code guest_can_join},
     * {@code num_joined_members}, {@code room_type}.
     */
    public ObjectNode describe(RoomsRecord room) {
        Map<StateKey, String> state = reader.currentState(room.getRoomId());
        ObjectNode entry = Json.object().put("room_id", room.getRoomId());
        text(state, "m.room.name", "name").ifPresent(n -> entry.set("name", n));
        text(state, "m.room.topic", "topic").ifPresent(n -> entry.set("topic", n));
        text(state, "m.room.canonical_alias", "alias").ifPresent(n -> entry.set("canonical_alias", n));
        text(state, "m.room.avatar", "url").ifPresent(n -> entry.set("avatar_url", n));
        entry.put("join_rule", text(state, "m.room.join_rules", "join_rule").map(JsonNode::textValue).orElse("invite"));
        entry.put("world_readable", text(state, "m.room.history_visibility", "history_visibility").map(JsonNode::textValue)
                .orElse("").equals("world_readable"));
        entry.put("guest_can_join", text(state, "m.room.guest_access", "guest_access").map(JsonNode::textValue).orElse("")
                .equals("can_join"));
        long joined = state.keySet().stream().filter(k -> k.type().equals("m.room.member"))
                .filter(k -> reader.membership(state, k.stateKey()).orElse("").equals("join")).count();
        entry.put("num_joined_members", joined);
        text(state, "m.room.create", "type").ifPresent(t -> entry.set("room_type", t));
        return entry;
    }

    /**
     * The description plus {@code room_version}, {@code encryption} and {@code allowed_room_ids},
     * when {@code userId} (null: not signed in) may preview the room; empty otherwise.
     */
    public Optional<ObjectNode> preview(RoomsRecord room, String userId) {
        Map<StateKey, String> state = reader.currentState(room.getRoomId());
        ObjectNode summary = describe(room);
        String joinRule = summary.path("join_rule").asText();
        List<String> allowed = new ArrayList<>();
        if (joinRule.equals("restricted") || joinRule.equals("knock_restricted")) {
            reader.stateEvent(state, "m.room.join_rules", "").ifPresent(e -> {
                for (JsonNode a : e.pdu().path("content").path("allow")) {
                    if (a.path("type").asText().equals("m.room_membership") && a.path("room_id").isTextual()) {
                        allowed.add(a.path("room_id").asText());
                    }
                }
            });
        }
        boolean open = OPEN_JOIN_RULES.contains(joinRule) || summary.path("world_readable").asBoolean();
        String membership = userId == null ? null : reader.membership(state, userId).orElse("leave");
        boolean member = "join".equals(membership) || "invite".equals(membership);
        boolean viaAllowedRoom = userId != null && !allowed.isEmpty() && reader.joinedRooms(userId).stream().anyMatch(allowed::contains);
        if (!open && !member && !viaAllowedRoom) return Optional.empty();
        summary.put("room_version", room.getRoomVersion());
        text(state, "m.room.encryption", "algorithm").ifPresent(a -> summary.set("encryption", a));
        if (!allowed.isEmpty()) {
            ArrayNode ids = summary.putArray("allowed_room_ids");
            allowed.forEach(ids::add);
        }
        return Optional.of(summary);
    }

    private Optional<JsonNode> text(Map<StateKey, String> state, String type, String field) {
        return reader.stateEvent(state, type, "").map(e -> e.pdu().path("content").path(field)).filter(JsonNode::isTextual);
    }
}
