package org.callhs.core.room;

import java.util.Map;
import org.callhs.core.room.auth.StateKey;

/**
 * Who may see which event (Client-Server API "History visibility"): world_readable events to
 * anyone; otherwise to users joined when the event was sent; "shared" history to current
 * members; "invited" history also to users who were invited at the time. A user always sees
 * their own membership changes.
 */
public final class HistoryVisibility {
    private final RoomReader reader;

    public HistoryVisibility(RoomReader reader) {
        this.reader = reader;
    }

    public boolean visible(PersistedEvent event, String userId, boolean currentlyJoined) {
        if (event.type().equals("m.room.member") && userId.equals(event.stateKey())) return true;
        Map<StateKey, String> before = reader.stateBefore(event);
        String visibility = reader.stateEvent(before, "m.room.history_visibility", "")
                .map(e -> e.pdu().path("content").path("history_visibility").asText("shared")).orElse("shared");
        if (visibility.equals("world_readable")) return true;
        String membership = reader.membership(before, userId).orElse("leave");
        if (membership.equals("join")) return true;
        if (visibility.equals("shared") && currentlyJoined) return true;
        return visibility.equals("invited") && membership.equals("invite");
    }

    /**
     * The events a user may see around one event of its room: up to {@code before} just before it
     * (newest first) and {@code after} just after it (oldest first), that pass {@code filter};
     * with the {@code /messages} tokens that page on from either end.
     */
    public record Around(java.util.List<PersistedEvent> earlier, java.util.List<PersistedEvent> later, String start, String end) {}

    /** See {@link Around}; {@code filter} may be null (every event). */
    public Around around(PersistedEvent event, String userId, boolean joined, RoomEventFilter filter, int before, int after) {
        java.util.List<PersistedEvent> earlier = before == 0 ? java.util.List.of()
                : visibleOnly(reader.backwards(event.roomId(), event.streamOrdering() - 1, Long.MIN_VALUE + 1, before * 2 + 10), userId,
                        joined, filter, before);
        java.util.List<PersistedEvent> later = after == 0 ? java.util.List.of()
                : visibleOnly(reader.forwards(event.roomId(), event.streamOrdering(), Long.MAX_VALUE - 1, after * 2 + 10), userId, joined,
                        filter, after);
        String start = "s" + (earlier.isEmpty() ? event.streamOrdering() - 1 : earlier.get(earlier.size() - 1).streamOrdering() - 1);
        String end = "s" + (later.isEmpty() ? event.streamOrdering() : later.get(later.size() - 1).streamOrdering());
        return new Around(earlier, later, start, end);
    }

    private java.util.List<PersistedEvent> visibleOnly(java.util.List<PersistedEvent> events, String userId, boolean joined,
                                                       RoomEventFilter filter, int max) {
        java.util.List<PersistedEvent> out = new java.util.ArrayList<>();
        for (PersistedEvent e : events) {
            if (out.size() == max) break;
            if ((filter == null || filter.matches(e)) && visible(e, userId, joined)) out.add(e);
        }
        return out;
    }
}
