package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;
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

    /**
     * Stream position of the user's current member event in a joined room (their join), so a
     * module can tell what happened in the room before and after the user joined.
     */
    long membershipPosition(String roomId);

    /** The {@code events} position of the {@code since} token; 0 for an initial sync. */
    long sinceEventsPosition();

    /**
     * A value a stream left in the {@code since} token with {@link #carry}, empty when absent
     * (and always empty for an initial sync).
     */
    OptionalLong carried(String name);

    /**
     * Leaves a value in the next token that is not a stream position (a stream's progress through
     * a backlog, say); it is read back with {@link #carried} and, unlike a position, kept only
     * when set again. {@code name} follows {@link SyncStream#name()}'s rules and must not be a stream's name.
     */
    void carry(String name, long value);

    /** Users the requester ignores ({@code m.ignored_user_list}): their events must not be served. */
    Set<String> ignoredUsers();

    /** IDs of the events in this response's timeline of the room (empty when none). */
    Set<String> timelineEventIds(String roomId);

    /** The room's section under {@code rooms.join}, created when absent; creating it makes the response non-empty. */
    ObjectNode joinedRoomSection(String roomId);

    /** Events by ID, as stored (an ID not found is left out; the order is not kept). */
    java.util.List<PersistedEvent> events(java.util.List<String> eventIds);

    /** An event in the client format for this requester, after the request's {@code event_fields} / {@code event_format}. */
    ObjectNode render(PersistedEvent event);
}
