package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.MatrixIds;

/**
 * Checks a filter against the shapes of the spec's {@code Filter}, {@code EventFilter} and
 * {@code RoomEventFilter} definitions: wrong types are 400 {@code M_BAD_JSON} naming the
 * field. Room ID lists ({@code rooms}, {@code not_rooms}) must hold room IDs and sender lists
 * user IDs (the spec's formats, as Synapse's filter schema checks them). Unknown fields are
 * allowed (as Synapse does), so newer clients keep working.
 */
final class FilterValidator {
    private static final Set<String> EVENT_FILTER_STRING_LISTS = Set.of("types", "not_types", "senders", "not_senders");
    private static final Set<String> USER_ID_LISTS = Set.of("senders", "not_senders");
    private static final Set<String> ROOM_EVENT_FILTER_BOOLEANS = Set.of("lazy_load_members", "include_redundant_members",
            "contains_url", "unread_thread_notifications");

    private FilterValidator() {}

    static void validate(JsonNode filter) {
        stringList(filter, "event_fields", "event_fields");
        JsonNode format = filter.get("event_format");
        if (format != null && !(format.isTextual() && Set.of("client", "federation").contains(format.textValue()))) {
            throw bad("event_format", "must be client or federation");
        }
        eventFilter(filter.get("account_data"), "account_data");
        eventFilter(filter.get("presence"), "presence");
        JsonNode room = filter.get("room");
        if (room != null) {
            requireObject(room, "room");
            roomIdList(room, "rooms", "room.rooms");
            roomIdList(room, "not_rooms", "room.not_rooms");
            bool(room, "include_leave", "room.include_leave");
            for (String part : new String[] {"timeline", "state", "ephemeral", "account_data"}) {
                roomEventFilter(room.get(part), "room." + part);
            }
        }
    }

    private static void eventFilter(JsonNode node, String path) {
        if (node == null) return;
        requireObject(node, path);
        JsonNode limit = node.get("limit");
        if (limit != null && !(limit.canConvertToLong() && limit.isIntegralNumber() && limit.longValue() > 0)) {
            throw bad(path + ".limit", "must be a positive integer");
        }
        for (String field : EVENT_FILTER_STRING_LISTS) stringList(node, field, path + "." + field);
        for (String field : USER_ID_LISTS) {
            JsonNode list = node.get(field);
            if (list == null) continue;
            for (JsonNode item : list) {
                if (!MatrixIds.isValidUserId(item.textValue())) throw bad(path + "." + field, "must hold user IDs: " + item.textValue());
            }
        }
    }

    private static void roomIdList(JsonNode parent, String field, String path) {
        stringList(parent, field, path);
        JsonNode list = parent.get(field);
        if (list == null) return;
        for (JsonNode item : list) {
            String id = item.textValue();
            if (!id.startsWith("!") || id.length() < 2 || id.length() > 255 || id.chars().anyMatch(Character::isWhitespace)) {
                throw bad(path, "must hold room IDs: " + id);
            }
        }
    }

    /** Checks a {@code RoomEventFilter} on its own (e.g. {@code POST /search}'s {@code filter}). */
    static void validateRoomEventFilter(JsonNode node, String path) {
        roomEventFilter(node, path);
    }

    private static void roomEventFilter(JsonNode node, String path) {
        if (node == null) return;
        eventFilter(node, path);
        roomIdList(node, "rooms", path + ".rooms");
        roomIdList(node, "not_rooms", path + ".not_rooms");
        for (String field : ROOM_EVENT_FILTER_BOOLEANS) bool(node, field, path + "." + field);
        stringList(node, "related_by_rel_types", path + ".related_by_rel_types");
        stringList(node, "related_by_senders", path + ".related_by_senders");
        JsonNode relatedSenders = node.get("related_by_senders");
        if (relatedSenders != null) {
            for (JsonNode item : relatedSenders) {
                if (!MatrixIds.isValidUserId(item.textValue())) {
                    throw bad(path + ".related_by_senders", "must hold user IDs: " + item.textValue());
                }
            }
        }
    }

    private static void requireObject(JsonNode node, String path) {
        if (!node.isObject()) throw bad(path, "must be an object");
    }

    private static void stringList(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null) return;
        if (!node.isArray()) throw bad(path, "must be an array of strings");
        for (JsonNode item : node) if (!item.isTextual()) throw bad(path, "must be an array of strings");
    }

    private static void bool(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node != null && !node.isBoolean()) throw bad(path, "must be a boolean");
    }

    private static MatrixException bad(String path, String message) {
        return MatrixException.badJson("Invalid filter: " + path + " " + message);
    }
}
