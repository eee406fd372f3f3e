package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The spec's {@code RoomEventFilter} applied to events: {@code types} / {@code not_types}
 * (with {@code *} wildcards), {@code senders} / {@code not_senders}, {@code rooms} /
 * {@code not_rooms}, {@code contains_url}, and {@code limit}. An absent filter lets everything through.
 */
public final class RoomEventFilter {
    private final List<String> types;
    private final List<String> notTypes;
    private final List<String> senders;
    private final List<String> notSenders;
    private final Boolean containsUrl;
    private final Integer limit;
    private final boolean lazyLoadMembers;
    private final List<String> rooms;
    private final List<String> notRooms;
    private final boolean unreadThreadNotifications;
    private final List<String> relatedByRelTypes;
    private final List<String> relatedBySenders;

    private RoomEventFilter(JsonNode node) {
        types = strings(node, "types");
        notTypes = strings(node, "not_types");
        senders = strings(node, "senders");
        notSenders = strings(node, "not_senders");
        containsUrl = node != null && node.path("contains_url").isBoolean() ? node.get("contains_url").booleanValue() : null;
        limit = node != null && node.path("limit").canConvertToInt() && node.path("limit").isIntegralNumber() ? node.get("limit").intValue() : null;
        lazyLoadMembers = node != null && node.path("lazy_load_members").asBoolean(false);
        rooms = strings(node, "rooms");
        notRooms = strings(node, "not_rooms");
        unreadThreadNotifications = node != null && node.path("unread_thread_notifications").asBoolean(false);
        relatedByRelTypes = strings(node, "related_by_rel_types");
        relatedBySenders = strings(node, "related_by_senders");
    }

    public boolean unreadThreadNotifications() { return unreadThreadNotifications; }

    /** {@code related_by_rel_types}, or null. */
    public List<String> relatedByRelTypes() { return relatedByRelTypes; }

    /** {@code related_by_senders}, or null. */
    public List<String> relatedBySenders() { return relatedBySenders; }

    /** Whether the filter keeps only events that others relate to. */
    public boolean filtersByRelations() { return relatedByRelTypes != null || relatedBySenders != null; }

    public static RoomEventFilter of(JsonNode node) { return new RoomEventFilter(node); }

    public Integer limit() { return limit; }

    public boolean lazyLoadMembers() { return lazyLoadMembers; }

    public boolean matches(PersistedEvent event) {
        if (!matches(event.type(), event.sender())) return false;
        if (containsUrl != null && containsUrl != event.pdu().path("content").has("url")) return false;
        return true;
    }

    /** Type and sender conditions only (for ephemeral events, account data and presence; sender may be null). */
    public boolean matches(String type, String sender) {
        if (types != null && types.stream().noneMatch(t -> glob(t, type))) return false;
        if (notTypes != null && notTypes.stream().anyMatch(t -> glob(t, type))) return false;
        if (sender != null && senders != null && !senders.contains(sender)) return false;
        if (sender != null && notSenders != null && notSenders.contains(sender)) return false;
        return true;
    }

    /** The {@code rooms} / {@code not_rooms} conditions. */
    public boolean matchesRoom(String roomId) {
        if (rooms != null && !rooms.contains(roomId)) return false;
        return notRooms == null || !notRooms.contains(roomId);
    }

    /** False when {@code limit} is 0 or {@code types} is empty: nothing can pass. */
    public boolean allowsAny() {
        return (limit == null || limit > 0) && (types == null || !types.isEmpty());
    }

    private static boolean glob(String pattern, String value) {
        if (!pattern.contains("*")) return pattern.equals(value);
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) regex.append(".*");
            regex.append(java.util.regex.Pattern.quote(part));
        }
        return value.matches(regex.toString());
    }

    private static List<String> strings(JsonNode node, String field) {
        if (node == null || !node.path(field).isArray()) return null;
        List<String> out = new ArrayList<>();
        node.get(field).forEach(n -> out.add(n.asText()));
        return out;
    }
}
