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
}
