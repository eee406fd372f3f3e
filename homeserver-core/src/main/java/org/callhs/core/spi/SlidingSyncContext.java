package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.auth.Requester;
import java.util.Set;
import org.callhs.core.room.PersistedEvent;

/** One sliding sync response being built, as a {@link SlidingSyncExtension} sees it. */
public interface SlidingSyncContext {
    Requester requester();

    /**
     * Rooms the user is joined to among those the request's lists match (the whole lists, not
     * only their ranges) and its room subscriptions name.
     */
    Set<String> joinedRooms();

    /**
     * The events stream position this response is built up to: every event at or before it is
     * committed, and the user's memberships are read at it.
     */
    long eventsPosition();

    /** Stream position of the user's current member event in a joined room (their join). */
    long membershipPosition(String roomId);

    /** Users the requester ignores: their events must not be served. */
    Set<String> ignoredUsers();

    /** IDs of the events in this response's timeline of the room (empty when none). */
    Set<String> timelineEventIds(String roomId);

    /** Events by ID, as stored (an ID not found is left out; the order is not kept). */
    List<PersistedEvent> events(List<String> eventIds);

    /** An event in the client format for this requester, without {@code room_id} (as sliding sync serves events). */
    ObjectNode render(PersistedEvent event);
}
