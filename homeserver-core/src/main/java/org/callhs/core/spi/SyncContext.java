package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.callhs.core.auth.Requester;
import org.callhs.core.room.PersistedEvent;

/** One {@code /sync} response being built, as a {@link SyncStream} sees it. */
public interface SyncContext {
    Requester requester();

    /** No {@code since} token (or {@code full_state}). */
    boolean initial();

    /** Rooms the user is joined to at the end of this response. */
    Set<String> joinedRooms();

    /** Joined rooms the user joined after the {@code since} token (all joined rooms for an initial sync). */
    Set<String> newlyJoinedRooms();

    /** IDs of the events in this response's timeline of the room (empty when none). */
    Set<String> timelineEventIds(String roomId);

    /** The room's section under {@code rooms.join}, created when absent; creating it makes the response non-empty. */
    ObjectNode joinedRoomSection(String roomId);

    /** An event in the client format for this requester, after the request's {@code event_fields} / {@code event_format}. */
    ObjectNode render(PersistedEvent event);
}
