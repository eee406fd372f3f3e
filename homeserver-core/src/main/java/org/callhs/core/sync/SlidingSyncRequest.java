package org.callhs.core.sync;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.error.MatrixException;

/**
 * The body of a simplified sliding sync request (MSC4186, in the unstable dialect Synapse,
 * matrix-rust-sdk and matrix-js-sdk speak): {@code conn_id}, {@code lists},
 * {@code room_subscriptions} and {@code extensions}. Unknown keys are ignored; wrong types are
 * 400 {@code M_BAD_JSON}, a missing {@code timeline_limit} 400 {@code M_MISSING_PARAM}.
 */
public record SlidingSyncRequest(String connId, Map<String, ListRequest> lists, Map<String, RoomConfig> subscriptions,
                                 Map<String, JsonNode> extensions) {
    public static final int MAX_LISTS = 100;
    public static final int MAX_LIST_NAME = 64;
    public static final int MAX_TIMELINE_LIMIT = 1000;

    /** What the client wants of each room: the newest {@code timelineLimit} events and the state {@code requiredState} names. */
    public record RoomConfig(int timelineLimit, RequiredState requiredState) {
        /** The union of two configs for a room several lists or subscriptions match. */
        public RoomConfig combine(RoomConfig other) {
            return new RoomConfig(Math.max(timelineLimit, other.timelineLimit), requiredState.union(other.requiredState));
        }
    }

    /** One list: its ranges over the sorted, filtered rooms (none: only the count), per-room config and filters. */
    public record ListRequest(List<long[]> ranges, RoomConfig config, ListFilters filters) {}

    /**
     * List filters, each optional (null) and all of them ANDed. {@code roomTypes} may hold null for
     * rooms without a type.
     */
    public record ListFilters(Boolean isDm, Boolean isEncrypted, Boolean isInvite, List<String> roomTypes,
                              List<String> notRoomTypes, List<String> tags, List<String> notTags) {
        static final ListFilters NONE = new ListFilters(null, null, null, null, null, null, null);
    }

    public static SlidingSyncRequest parse(JsonNode body) {
        if (!body.isObject()) throw MatrixException.badJson("Request body must be a JSON object");
        String connId = "";
        JsonNode conn = body.path("conn_id");
        if (!conn.isMissingNode() && !conn.isNull()) {
            if (!conn.isTextual()) throw MatrixException.badJson("conn_id must be a string");
            connId = conn.textValue();
        }
        Map<String, ListRequest> lists = new LinkedHashMap<>();
        JsonNode listsNode = optionalObject(body, "lists");
        if (listsNode != null) {
            if (listsNode.size() > MAX_LISTS) throw MatrixException.badJson("At most " + MAX_LISTS + " lists");
            for (Iterator<Map.Entry<String, JsonNode>> it = listsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().length() > MAX_LIST_NAME) {
                    throw MatrixException.badJson("List names are at most " + MAX_LIST_NAME + " characters");
                }
                lists.put(entry.getKey(), list("lists." + entry.getKey(), entry.getValue()));
            }
        }
        Map<String, RoomConfig> subscriptions = new LinkedHashMap<>();
        JsonNode subs = optionalObject(body, "room_subscriptions");
        if (subs != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = subs.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                String where = "room_subscriptions." + entry.getKey();
                if (!entry.getKey().startsWith("!")) throw MatrixException.badJson(where + ": not a room ID");
                if (!entry.getValue().isObject()) throw MatrixException.badJson(where + " must be an object");
                subscriptions.put(entry.getKey(), config(where, entry.getValue()));
            }
        }
        Map<String, JsonNode> extensions = new LinkedHashMap<>();
        JsonNode ext = optionalObject(body, "extensions");
        if (ext != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = ext.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getValue().isNull()) continue;
                if (!entry.getValue().isObject()) throw MatrixException.badJson("extensions." + entry.getKey() + " must be an object");
                extensions.put(entry.getKey(), entry.getValue());
            }
        }
        return new SlidingSyncRequest(connId, lists, subscriptions, extensions);
    }

    private static ListRequest list(String where, JsonNode node) {
        if (!node.isObject()) throw MatrixException.badJson(where + " must be an object");
        List<long[]> ranges = new ArrayList<>();
        JsonNode rangesNode = node.path("ranges");
        if (!rangesNode.isMissingNode() && !rangesNode.isNull()) {
            if (!rangesNode.isArray()) throw MatrixException.badJson(where + ".ranges must be an array of [start, end] pairs");
            for (JsonNode range : rangesNode) {
                if (!range.isArray() || range.size() != 2 || !range.get(0).canConvertToLong() || !range.get(0).isIntegralNumber()
                        || !range.get(1).isIntegralNumber() || !range.get(1).canConvertToLong()
                        || range.get(0).longValue() < 0 || range.get(1).longValue() < range.get(0).longValue()) {
                    throw MatrixException.badJson(where + ".ranges: each range is [start, end] with 0 <= start <= end");
                }
                ranges.add(new long[] {range.get(0).longValue(), range.get(1).longValue()});
            }
        }
        ListFilters filters = ListFilters.NONE;
        JsonNode filtersNode = node.path("filters");
        if (!filtersNode.isMissingNode() && !filtersNode.isNull()) {
            if (!filtersNode.isObject()) throw MatrixException.badJson(where + ".filters must be an object");
            for (String unsupported : List.of("spaces", "room_name_like")) {
                if (filtersNode.has(unsupported) && !filtersNode.get(unsupported).isNull()) {
                    throw MatrixException.invalidParam(where + ".filters." + unsupported + " is not supported by this server");
                }
            }
            filters = new ListFilters(bool(filtersNode, where, "is_dm"), bool(filtersNode, where, "is_encrypted"),
                    bool(filtersNode, where, "is_invite"), strings(filtersNode, where, "room_types", true),
                    strings(filtersNode, where, "not_room_types", true), strings(filtersNode, where, "tags", false),
                    strings(filtersNode, where, "not_tags", false));
        }
        return new ListRequest(ranges, config(where, node), filters);
    }

    private static RoomConfig config(String where, JsonNode node) {
        JsonNode limit = node.path("timeline_limit");
        if (limit.isMissingNode() || limit.isNull()) throw MatrixException.missingParam(where + ".timeline_limit is required");
        if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.intValue() < 0 || limit.intValue() > MAX_TIMELINE_LIMIT) {
            throw MatrixException.badJson(where + ".timeline_limit must be an integer from 0 to " + MAX_TIMELINE_LIMIT);
        }
        JsonNode required = node.path("required_state");
        // Synapse requires the field; matrix-rust-sdk leaves it out when empty, so absent reads as [].
        RequiredState state = required.isMissingNode() || required.isNull() ? RequiredState.NONE
                : RequiredState.parse(where + ".required_state", required);
        return new RoomConfig(limit.intValue(), state);
    }

    private static JsonNode optionalObject(JsonNode body, String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) return null;
        if (!node.isObject()) throw MatrixException.badJson(field + " must be an object");
        return node;
    }

    private static Boolean bool(JsonNode node, String where, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) return null;
        if (!value.isBoolean()) throw MatrixException.badJson(where + ".filters." + field + " must be a boolean");
        return value.booleanValue();
    }

    private static List<String> strings(JsonNode node, String where, String field, boolean nullAllowed) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) return null;
        if (!value.isArray()) throw MatrixException.badJson(where + ".filters." + field + " must be an array");
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (item.isNull() && nullAllowed) out.add(null);
            else if (item.isTextual()) out.add(item.textValue());
            else throw MatrixException.badJson(where + ".filters." + field + " must hold strings");
        }
        return out;
    }
}
