package org.callhs.core.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.room.RoomEventFilter;
import org.callhs.core.util.Json;

/**
 * The spec's {@code Filter} as {@code /sync} applies it (the JSON was validated when stored or
 * by the endpoint): room inclusion, {@code include_leave}, the four per-room filters, the
 * account data and presence filters, {@code event_fields} and {@code event_format}.
 */
public final class SyncFilter {
    /** Default timeline length when the filter gives none (spec: server-chosen; Synapse uses 10). */
    public static final int DEFAULT_TIMELINE_LIMIT = 10;
    /** Largest timeline honoured per room. */
    public static final int MAX_TIMELINE_LIMIT = 1000;

    private final RoomEventFilter rooms;
    private final boolean includeLeave;
    private final RoomEventFilter timeline;
    private final RoomEventFilter state;
    private final RoomEventFilter ephemeral;
    private final RoomEventFilter roomAccountData;
    private final RoomEventFilter accountData;
    private final RoomEventFilter presence;
    private final List<List<String>> eventFields;
    private final boolean federationFormat;

    private SyncFilter(JsonNode node) {
        JsonNode room = node.path("room");
        rooms = RoomEventFilter.of(room.isObject() ? room : null);
        includeLeave = room.path("include_leave").asBoolean(false);
        timeline = sub(room, "timeline");
        state = sub(room, "state");
        ephemeral = sub(room, "ephemeral");
        roomAccountData = sub(room, "account_data");
        accountData = sub(node, "account_data");
        presence = sub(node, "presence");
        eventFields = node.path("event_fields").isArray() ? parseFields(node.get("event_fields")) : null;
        federationFormat = node.path("event_format").asText("client").equals("federation");
    }

    public static SyncFilter of(JsonNode node) {
        return new SyncFilter(node == null ? Json.object() : node);
    }

    private static RoomEventFilter sub(JsonNode parent, String name) {
        JsonNode node = parent.path(name);
        return RoomEventFilter.of(node.isObject() ? node : null);
    }

    public boolean includesRoom(String roomId) { return rooms.matchesRoom(roomId); }
    public boolean includeLeave() { return includeLeave; }
    public RoomEventFilter timeline() { return timeline; }
    public RoomEventFilter state() { return state; }
    public RoomEventFilter ephemeral() { return ephemeral; }
    public RoomEventFilter roomAccountData() { return roomAccountData; }
    public RoomEventFilter accountData() { return accountData; }
    public RoomEventFilter presence() { return presence; }
    public boolean federationFormat() { return federationFormat; }

    public int timelineLimit() {
        Integer limit = timeline.limit();
        if (limit == null) return DEFAULT_TIMELINE_LIMIT;
        return Math.max(0, Math.min(limit, MAX_TIMELINE_LIMIT));
    }

    /**
     * Applies {@code event_fields}: keeps only the listed dotted paths ({@code \.} escapes a
     * dot inside a key). Without the field the event is returned unchanged.
     */
    public ObjectNode applyEventFields(ObjectNode event) {
        if (eventFields == null) return event;
        ObjectNode out = Json.object();
        for (List<String> path : eventFields) copyPath(event, out, path, 0);
        return out;
    }

    private static void copyPath(JsonNode from, ObjectNode to, List<String> path, int index) {
        JsonNode value = from.get(path.get(index));
        if (value == null) return;
        if (index == path.size() - 1) {
            to.set(path.get(index), value.deepCopy());
        } else if (value.isObject()) {
            JsonNode existing = to.get(path.get(index));
            ObjectNode child = existing instanceof ObjectNode o ? o : to.putObject(path.get(index));
            copyPath(value, child, path, index + 1);
        }
    }

    private static List<List<String>> parseFields(JsonNode fields) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode field : fields) {
            List<String> parts = new ArrayList<>();
            StringBuilder part = new StringBuilder();
            String text = field.asText();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length() && (text.charAt(i + 1) == '.' || text.charAt(i + 1) == '\\')) {
                    part.append(text.charAt(++i));
                } else if (c == '.') {
                    parts.add(part.toString());
                    part.setLength(0);
                } else {
                    part.append(c);
                }
            }
            parts.add(part.toString());
            out.add(parts);
        }
        return out;
    }
}
