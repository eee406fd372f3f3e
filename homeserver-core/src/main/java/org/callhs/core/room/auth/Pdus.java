package org.callhs.core.room.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;

/** Small readers over PDU JSON shared by the authorisation rule classes. */
final class Pdus {
    private Pdus() {}

    private static final JsonNode EMPTY_OBJECT = Json.object();

    /** The string value of {@code field}, or null when absent or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** The event's content object; an empty object when absent. */
    static JsonNode content(JsonNode pdu) {
        JsonNode content = pdu.get("content");
        return content != null && content.isObject() ? content : EMPTY_OBJECT;
    }

    /** The server name part of a user or room ID (after the first colon), or null. */
    static String domain(String id) {
        if (id == null) return null;
        int colon = id.indexOf(':');
        return colon < 0 ? null : id.substring(colon + 1);
    }

    /** True when both IDs have a server name and it is the same. */
    static boolean sameDomain(String a, String b) {
        String domain = domain(a);
        return domain != null && domain.equals(domain(b));
    }

    /** The current membership of {@code userId} in {@code state}, if any. */
    static Optional<String> membership(StateView state, String userId) {
        if (userId == null) return Optional.empty();
        return state.get(StateKey.member(userId)).map(m -> text(content(m), "membership"));
    }

    static boolean isJoined(StateView state, String userId) {
        return membership(state, userId).filter("join"::equals).isPresent();
    }

    /**
     * The event ID of a create event: its {@code event_id} field when the stored JSON carries one,
     * otherwise {@code $} + its reference hash. In versions whose room ID is the create event's
     * hash, a {@code room_id} a store may have attached is left out of the hash (a valid create
     * event of those versions has none).
     */
    static String createEventId(JsonNode create, RoomVersion version) {
        String stored = text(create, "event_id");
        if (stored != null) return stored;
        ObjectNode copy = create.deepCopy();
        copy.remove("event_id");
        if (version.roomIdIsCreateEventHash()) copy.remove("room_id");
        return EventHashes.eventId(copy, version);
    }

    /**
     * The room's creators per {@code version}: {@code content.creator} (v10) or the create
     * event's sender (v11+), plus {@code content.additional_creators} where creators have
     * infinite power (v12). Entries that are not strings are skipped.
     */
    static Set<String> creators(JsonNode create, RoomVersion version) {
        Set<String> creators = new LinkedHashSet<>();
        String primary = version.creatorIsCreateSender() ? text(create, "sender") : text(content(create), "creator");
        if (primary != null) creators.add(primary);
        if (version.creatorsHaveInfinitePower()) {
            JsonNode extra = content(create).get("additional_creators");
            if (extra != null && extra.isArray()) {
                for (JsonNode user : extra) if (user.isTextual()) creators.add(user.textValue());
            }
        }
        return creators;
    }

    /** The single creator who gets level 100 when the room has no power levels (v10: content.creator; v11+: sender). */
    static String primaryCreator(JsonNode create, RoomVersion version) {
        return version.creatorIsCreateSender() ? text(create, "sender") : text(content(create), "creator");
    }
}
