package org.callhs.core.room;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;

/** Read access to rooms: current state, state at an event, memberships, single events. */
public final class RoomReader {
    private final Database database;
    private final RoomRepository rooms;
    private final EventRepository events;
    private final CurrentStateRepository currentState;
    private final StateStore states;
    private final EventStore eventStore;

    public RoomReader(Database database, RoomRepository rooms, EventRepository events, CurrentStateRepository currentState,
                      StateStore states, EventStore eventStore) {
        this.database = database;
        this.rooms = rooms;
        this.events = events;
        this.currentState = currentState;
        this.states = states;
        this.eventStore = eventStore;
    }

    public Optional<RoomsRecord> room(String roomId) { return rooms.find(database.dsl(), roomId); }

    /** The current state of a room as (type, state_key) to event ID; empty for unknown rooms. */
    public Map<StateKey, String> currentState(String roomId) {
        return room(roomId).map(r -> states.load(database.dsl(), r.getStateGroup()).state()).orElse(Map.of());
    }

    /** State after an event (or before it). */
    public Map<StateKey, String> stateAt(String eventId, boolean after) {
        EventsRecord record = events.find(database.dsl(), eventId).orElseThrow();
        Long group = after ? record.getStateGroupAfter() : record.getStateGroupBefore();
        return group == null ? Map.of() : states.load(database.dsl(), group).state();
    }

    public Optional<PersistedEvent> event(String eventId) { return eventStore.find(database.dsl(), eventId); }

    public Optional<PersistedEvent> stateEvent(Map<StateKey, String> state, String type, String stateKey) {
        String id = state.get(StateKey.of(type, stateKey));
        return id == null ? Optional.empty() : event(id);
    }

    /** A user's membership in a state ("join", "invite", "leave", "ban", "knock"), or empty. */
    public Optional<String> membership(Map<StateKey, String> state, String userId) {
        return stateEvent(state, "m.room.member", userId).map(e -> e.pdu().path("content").path("membership").asText());
    }

    public List<String> roomsWithMembership(String userId, String membership) {
        return currentState.roomsWithMembership(database.dsl(), userId, membership);
    }

    /** Up to {@code limit} events with {@code from >= ordering > to}, newest first. */
    public List<PersistedEvent> backwards(String roomId, long fromInclusive, long toExclusive, int limit) {
        return events.pageBackwards(database.dsl(), roomId, fromInclusive + 1, toExclusive, limit).stream()
                .map(r -> eventStore.toEvent(database.dsl(), r)).toList();
    }

    /** Up to {@code limit} events with {@code from < ordering <= to}, oldest first. */
    public List<PersistedEvent> forwards(String roomId, long fromExclusive, long toInclusive, int limit) {
        return events.pageForwards(database.dsl(), roomId, fromExclusive, toInclusive + 1, limit).stream()
                .map(r -> eventStore.toEvent(database.dsl(), r)).toList();
    }

    public List<PersistedEvent> events(List<String> eventIds) {
        return events.findAll(database.dsl(), eventIds).stream().map(r -> eventStore.toEvent(database.dsl(), r)).toList();
    }
}
