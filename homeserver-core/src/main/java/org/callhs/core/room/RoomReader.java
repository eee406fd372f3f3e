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
    private final RecentEvents recent = new RecentEvents();
    private final com.github.benmanes.caffeine.cache.Cache<String, List<Membership>> membershipCache =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000).build();

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

    /** The timeline event closest to {@code ts} in a direction (spec "timestamp_to_event"). */
    public Optional<PersistedEvent> closestTo(String roomId, long ts, boolean forwards) {
        return events.closestTo(database.dsl(), roomId, ts, forwards).map(r -> eventStore.toEvent(database.dsl(), r));
    }

    private final org.callhs.core.storage.repo.RemoteInviteStateRepository inviteStates =
            new org.callhs.core.storage.repo.RemoteInviteStateRepository();

    /** The stripped state another server sent with an invite, when the invite came from one. */
    public Optional<com.fasterxml.jackson.databind.node.ArrayNode> remoteInviteState(String eventId) {
        return inviteStates.find(database.dsl(), eventId)
                .map(text -> org.callhs.core.util.Json.parse(text))
                .filter(com.fasterxml.jackson.databind.JsonNode::isArray)
                .map(node -> (com.fasterxml.jackson.databind.node.ArrayNode) node);
    }

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

    /** The state before an event, without reading the event again. */
    public Map<StateKey, String> stateBefore(PersistedEvent event) {
        return event.stateGroupBefore() == null ? Map.of() : states.load(database.dsl(), event.stateGroupBefore()).state();
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

    /**
     * A user's membership in the event's room at the event (the spec's {@code unsigned.membership}):
     * for the user's own membership event, the membership it sets; otherwise the membership in the
     * state before the event; {@code leave} when the user had none.
     */
    public String membershipAt(PersistedEvent event, String userId) {
        if (event.type().equals("m.room.member") && userId.equals(event.stateKey())) {
            return event.pdu().path("content").path("membership").asText("leave");
        }
        return membership(stateBefore(event), userId).orElse("leave");
    }

    /** What a user may read of a room: the state they see, and whether they are joined now. */
    public record Access(Map<StateKey, String> state, boolean joined) {}

    /**
     * Members read the current state; former members (left, kicked or banned) the state as their
     * leave, kick or ban left it (that event included, as Synapse answers); invited users nothing of the state but may pass (history visibility decides
     * about events). Anyone else, and unknown rooms, get 403 {@code M_FORBIDDEN}, so the answer
     * does not reveal whether a room exists.
     */
    public Access access(String roomId, String userId) {
        if (room(roomId).isEmpty()) throw org.callhs.core.error.MatrixException.forbidden("You are not in this room");
        Map<StateKey, String> current = currentState(roomId);
        String memberEvent = current.get(StateKey.of("m.room.member", userId));
        String membership = membership(current, userId).orElse("");
        return switch (membership) {
            case "join" -> new Access(current, true);
            case "leave", "ban" -> new Access(stateAt(memberEvent, true), false);
            case "invite" -> new Access(Map.of(), false);
            default -> throw org.callhs.core.error.MatrixException.forbidden("You are not in this room");
        };
    }

    /** The state a user may read ({@link #access}); invited users may not read the state (403). */
    public Map<StateKey, String> readableState(String roomId, String userId) {
        Access access = access(roomId, userId);
        if (!access.joined() && access.state().isEmpty()) throw org.callhs.core.error.MatrixException.forbidden("You are not in this room");
        return access.state();
    }

    public List<String> roomsWithMembership(String userId, String membership) {
        return currentState.roomsWithMembership(database.dsl(), userId, membership);
    }

    /**
     * Like {@link #backwards}, served from the in-memory window of recent events when it covers
     * the range (incremental syncs), else from the database.
     */
    public List<PersistedEvent> recentBackwards(String roomId, long fromInclusive, long toExclusive, int limit) {
        return recent.backwards(roomId, fromInclusive, toExclusive, limit)
                .orElseGet(() -> backwards(roomId, fromInclusive, toExclusive, limit));
    }

    public RecentEvents recent() {
        return recent;
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
        if (eventIds.isEmpty()) return List.of();
        return eventStore.findAll(database.dsl(), eventIds);
    }

    /** A user's current membership of one room: the membership and the member event. */
    public record Membership(String roomId, String membership, String eventId) {}

    /**
     * Every room the user has a membership in (join, invite, leave, ban, knock). Cached per
     * user; core's event listener drops the entry when a member event for the user commits,
     * before anyone is woken (a load racing that drop is discarded by the cache).
     */
    public List<Membership> memberships(String userId) {
        return membershipCache.get(userId, user -> currentState.memberships(database.dsl(), user).stream()
                .map(r -> new Membership(r.value1(), r.value2(), r.value3())).toList());
    }

    /** Called after a member event for the user committed. */
    public void membershipChanged(String userId) {
        membershipCache.invalidate(userId);
    }

    /**
     * Forgets what memory holds of a purged room: every user's cached memberships (which members
     * it had is no longer known on the other instances of a cluster), its predecessor and its
     * recent events.
     */
    public void roomPurged(String roomId) {
        membershipCache.invalidateAll();
        predecessors.invalidate(roomId);
        recent.forget(roomId);
        eventStore.roomPurged(roomId);
    }

    /** The rooms the user is joined to, from {@link #memberships}. */
    public List<String> joinedRooms(String userId) {
        return memberships(userId).stream().filter(m -> m.membership().equals("join")).map(Membership::roomId).toList();
    }

    /** The room's state after the newest event at or before a stream position (empty before the room existed). */
    public Map<StateKey, String> stateAtPosition(String roomId, long position) {
        return events.stateGroupAt(database.dsl(), roomId, position)
                .map(group -> states.load(database.dsl(), group).state()).orElse(Map.of());
    }

    /** State for a state group ID (null: empty). */
    public Map<StateKey, String> stateGroup(Long group) {
        return group == null ? Map.of() : states.load(database.dsl(), group).state();
    }

    public List<String> members(String roomId, String membership) {
        return currentState.members(database.dsl(), roomId, membership);
    }

    private final org.callhs.core.storage.repo.MembershipChangeRepository membershipChanges =
            new org.callhs.core.storage.repo.MembershipChangeRepository();

    /** Users whose membership event in one of the rooms, at a position in {@code (after, upTo]}, is a join. */
    public java.util.Set<String> usersJoinedBetween(java.util.Collection<String> roomIds, long after, long upTo) {
        if (roomIds.isEmpty() || upTo <= after) return java.util.Set.of();
        java.util.Set<String> users = new java.util.HashSet<>();
        for (var e : membershipChanges.memberEventsInRooms(database.dsl(), roomIds, after, upTo)) {
            if ("join".equals(org.callhs.core.util.Json.parse(e.pdu()).path("content").path("membership").asText())) {
                users.add(e.stateKey());
            }
        }
        return users;
    }

    /** Users joined to at least one of the rooms. */
    public java.util.Set<String> joinedUsers(java.util.Collection<String> roomIds) {
        if (roomIds.isEmpty()) return java.util.Set.of();
        return currentState.joinedUsers(database.dsl(), roomIds);
    }

    /** The newest event position of each room. */
    public Map<String, Long> latestOrderings(java.util.Collection<String> roomIds) {
        if (roomIds.isEmpty()) return Map.of();
        return events.latestOrderings(database.dsl(), roomIds);
    }

    /** The newest position at or before {@code upTo} of an event of one of {@code types} in the room, if any. */
    public java.util.Optional<Long> latestOfTypes(String roomId, java.util.Collection<String> types, long upTo) {
        return events.latestOfTypes(database.dsl(), roomId, types, upTo);
    }

    /** Per room: the room its create event names as predecessor (empty for none); a create event never changes. */
    private final com.github.benmanes.caffeine.cache.Cache<String, Optional<String>> predecessors =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000).build();

    /**
     * The room an upgraded room replaced ({@code predecessor.room_id} of its create event), if
     * any. Read once per room (every local join asks), and not remembered while the room's create
     * event is unknown here.
     */
    public Optional<String> predecessor(String roomId) {
        Optional<String> cached = predecessors.getIfPresent(roomId);
        if (cached != null) return cached;
        Optional<PersistedEvent> create = stateEvent(currentState(roomId), "m.room.create", "");
        if (create.isEmpty()) return Optional.empty();
        Optional<String> found = Optional.of(create.get().pdu().path("content").path("predecessor").path("room_id"))
                .filter(com.fasterxml.jackson.databind.JsonNode::isTextual).map(com.fasterxml.jackson.databind.JsonNode::textValue);
        predecessors.put(roomId, found);
        return found;
    }

    /** The rooms this one replaced through upgrades, newest first (at most 20; a loop stops the walk). */
    public List<String> predecessors(String roomId) {
        List<String> out = new java.util.ArrayList<>();
        String current = roomId;
        while (out.size() < 20) {
            Optional<String> previous = predecessor(current);
            if (previous.isEmpty() || previous.get().equals(roomId) || out.contains(previous.get()) || room(previous.get()).isEmpty()) break;
            out.add(previous.get());
            current = previous.get();
        }
        return out;
    }

    /** Timeline events of any of these rooms below a stream position, newest first, at most {@code limit}. */
    public List<PersistedEvent> backwardsAcross(java.util.Collection<String> roomIds, long beforeExclusive, int limit) {
        if (roomIds.isEmpty()) return List.of();
        return events.pageRoomsBackwards(database.dsl(), roomIds, beforeExclusive, limit).stream()
                .map(r -> eventStore.toEvent(database.dsl(), r)).toList();
    }
}
