package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.AuthFailure;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.room.auth.StateView;
import org.callhs.core.room.resolve.EventSource;
import org.callhs.core.room.resolve.ResolvableEvent;
import org.callhs.core.room.resolve.StateResolution;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.EventEdgeRepository;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.jooq.DSLContext;

/**
 * Writes events other servers sent into a room this server holds, under the room's lock (the
 * same one local sends take), after the checks that need the room: auth against the event's
 * own auth events, auth against the state before it (the resolution of its prev events'
 * states), and the soft-fail check against the current state. The caller has already checked
 * format, signatures and hashes ({@code room.remote.PduChecks}) and fetched what was missing:
 * auth events are stored, and prev events are stored or their states supplied.
 *
 * <p>Outcomes (Server-Server API "Checks performed on receipt of a PDU", "Rejection",
 * "Soft failure"): a timeline event gets a stream position, moves the forward extremities and
 * the current state (resolving the extremities' states when the DAG forks); a rejected one is
 * stored marked, with the state before it; a soft-failed one is stored with its states but no
 * stream position, and is not an extremity. Listeners hear of timeline events only.
 */
public final class RemoteEventAppender {
    /** How a remote event ended. */
    public enum Outcome { ACCEPTED, SOFT_FAILED, REJECTED, ALREADY_KNOWN }

    /** The result of appending: the outcome, the reason for a rejection, and the event (timeline events only). */
    public record Result(String eventId, Outcome outcome, String reason, PersistedEvent event) {}

    /**
     * A checked PDU to write.
     *
     * @param missingPrevStates states after prev events this server does not hold (from {@code /state_ids}), or empty
     */
    public record Incoming(String eventId, String roomId, ObjectNode pdu, byte[] canonical, List<Map<StateKey, String>> missingPrevStates) {}

    private final Database database;
    private final RoomLocks locks;
    private final RoomRepository rooms;
    private final ExtremityRepository extremities;
    private final EventRepository events;
    private final EventEdgeRepository edges;
    private final CurrentStateRepository currentState;
    private final StreamPositionRepository streams;
    private final StateStore states;
    private final EventStore eventStore;
    private final EventPersister persister;
    private final EventListeners listeners;

    public RemoteEventAppender(Database database, RoomLocks locks, RoomRepository rooms, ExtremityRepository extremities,
                               EventRepository events, EventEdgeRepository edges, CurrentStateRepository currentState,
                               StreamPositionRepository streams, StateStore states, EventStore eventStore, EventPersister persister,
                               EventListeners listeners) {
        this.database = database;
        this.locks = locks;
        this.rooms = rooms;
        this.extremities = extremities;
        this.events = events;
        this.edges = edges;
        this.currentState = currentState;
        this.streams = streams;
        this.states = states;
        this.eventStore = eventStore;
        this.persister = persister;
        this.listeners = listeners;
    }

    /**
     * Stores an event as an outlier (an auth event or a state event known without its own
     * state): rejected when its auth events reject it or are themselves rejected or missing.
     * An event already stored is left as it is.
     */
    public Result appendOutlier(String roomId, RoomVersion version, String eventId, ObjectNode pdu, byte[] canonical) {
        return appendOutliers(roomId, version, List.of(new Outlier(eventId, pdu, canonical))).get(0);
    }

    /** An event to store as an outlier, checked already (format, signatures, hash). */
    public record Outlier(String eventId, ObjectNode pdu, byte[] canonical) {}

    /**
     * Stores events as outliers, as {@link #appendOutlier} does each, in one transaction: a
     * join's state and auth chain (thousands of events in a big room) commit once. Auth events
     * must come before the events citing them.
     */
    public List<Result> appendOutliers(String roomId, RoomVersion version, List<Outlier> outliers) {
        return locks.withLock(roomId, () -> database.transaction(tx -> {
            List<Result> results = new ArrayList<>(outliers.size());
            Map<String, Optional<AuthEvent>> memo = new HashMap<>();
            for (Outlier o : outliers) {
                if (events.findAny(tx, o.eventId()).isPresent()) {
                    results.add(new Result(o.eventId(), Outcome.ALREADY_KNOWN, null, null));
                    continue;
                }
                String reason = authByOwnAuthEvents(tx, o.pdu(), version, memo);
                EventPersister.Kind kind = reason == null ? EventPersister.Kind.OUTLIER : EventPersister.Kind.REJECTED;
                persister.write(tx, new EventPersister.Row(o.eventId(), roomId, version, o.pdu(), o.canonical(), prevEvents(o.pdu()),
                        null, null, kind, reason, null, null, null));
                memo.put(o.eventId(), Optional.of(new AuthEvent(reason, withIdNode(o.pdu(), o.eventId()))));
                results.add(new Result(o.eventId(), reason == null ? Outcome.ACCEPTED : Outcome.REJECTED, reason, null));
            }
            return results;
        }));
    }

    /** Appends a remote event to the room's timeline (or rejects or soft-fails it); the room must exist here. */
    public Result append(Incoming incoming) {
        return commitOne(incoming, this::appendLocked);
    }

    /** Writes one event under the room's lock in its own transaction, then tells the listeners if it joined the timeline. */
    private Result commitOne(Incoming in, java.util.function.BiFunction<DSLContext, Incoming, Result> write) {
        return locks.withLock(in.roomId(), () -> {
            Result r = database.transaction(tx -> write.apply(tx, in));
            if (r.event() != null) listeners.committed(List.of(r.event()));
            return r;
        });
    }

    /**
     * Writes an event fetched by backfill: history from before anything the room's timeline
     * held. The same checks as a live event except the soft-fail one (the current state does not
     * judge history); it takes the backfill stream position {@code position} (negative), and
     * moves neither the extremities nor the current state, and no listener hears of it.
     */
    public Result appendBackfilled(Incoming in, long position) {
        return locks.withLock(in.roomId(), () -> database.transaction(tx -> {
            RoomsRecord room = rooms.findForWrite(tx, in.roomId()).orElseThrow(() -> new IllegalStateException("unknown room " + in.roomId()));
            RoomVersion version = RoomVersion.require(room.getRoomVersion());
            Optional<EventsRecord> existing = events.findAny(tx, in.eventId());
            boolean wasOutlier = existing.isPresent() && Boolean.TRUE.equals(existing.get().getOutlier());
            if (existing.isPresent() && !wasOutlier) return new Result(in.eventId(), Outcome.ALREADY_KNOWN, null, null);
            ObjectNode pdu = in.pdu();
            List<String> prevs = prevEvents(pdu);
            List<Map<StateKey, String>> prevStates = prevStates(tx, prevs, in.missingPrevStates());
            boolean create = prevs.isEmpty() && StateKey.CREATE_TYPE.equals(pdu.path("type").asText());
            if (prevStates.isEmpty() && !create) {
                return new Result(in.eventId(), Outcome.SOFT_FAILED, "the state before it is unknown", null);
            }
            StateStore.Group current = states.load(tx, room.getStateGroup());
            Map<StateKey, String> before = create ? Map.of() : StateResolution.resolve(version, prevStates, source(tx));
            String reason = authByOwnAuthEvents(tx, pdu, version);
            if (reason == null) reason = authBy(tx, pdu, before, version, "the state before it");
            // An event already accepted as an outlier (an auth or state event) is never turned into a rejected one here.
            if (reason != null && wasOutlier) return new Result(in.eventId(), Outcome.SOFT_FAILED, reason, null);
            if (wasOutlier) {
                events.deleteOutlier(tx, in.eventId());
                edges.delete(tx, in.eventId());
            }
            StateStore.Group beforeGroup = create ? states.append(tx, in.roomId(), null, Map.of()) : groupFor(tx, in.roomId(), before, current);
            EventPersister.Kind kind = reason == null ? EventPersister.Kind.TIMELINE : EventPersister.Kind.REJECTED;
            persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu, in.canonical(), prevs, beforeGroup,
                    reason == null ? position : null, kind, reason, null, null, null));
            return new Result(in.eventId(), reason == null ? Outcome.ACCEPTED : Outcome.REJECTED, reason, null);
        }));
    }

    /**
     * Writes an "old" event: one from below the depth at which this server joined the room through
     * another server (MSC4354 pushes a server's unexpired sticky events to a server that newly
     * joined; Synapse fetches their history or refuses them). Its state before is unknown, so only
     * the checks that do not need it are made: its own auth events (a failure rejects it) and the
     * current state (a failure soft-fails it). A message event then joins the timeline with a new stream position,
     * moving neither the forward extremities nor the current state; a state event is kept as an
     * outlier (the state the join returned already decides the room's state).
     */
    public Result appendOld(Incoming in) {
        return commitOne(in, this::appendOldLocked);
    }

    private Result appendOldLocked(DSLContext tx, Incoming in) {
        RoomsRecord room = rooms.findForWrite(tx, in.roomId()).orElseThrow(() -> new IllegalStateException("unknown room " + in.roomId()));
        RoomVersion version = RoomVersion.require(room.getRoomVersion());
        Optional<EventsRecord> existing = events.findAny(tx, in.eventId());
        if (existing.isPresent()) return new Result(in.eventId(), Outcome.ALREADY_KNOWN, null, null);
        ObjectNode pdu = in.pdu();
        List<String> prevs = prevEvents(pdu);
        String reason = authByOwnAuthEvents(tx, pdu, version);
        if (reason != null || pdu.has("state_key")) {
            persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu, in.canonical(), prevs, null, null,
                    reason == null ? EventPersister.Kind.OUTLIER : EventPersister.Kind.REJECTED, reason, null, null, null));
            return new Result(in.eventId(), reason == null ? Outcome.ACCEPTED : Outcome.REJECTED, reason, null);
        }
        StateStore.Group current = states.load(tx, room.getStateGroup());
        String softFail = authBy(tx, pdu, current.state(), version, "the current state");
        if (softFail != null) {
            persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu, in.canonical(), prevs, current, null,
                    EventPersister.Kind.SOFT_FAILED, softFail, null, null, null));
            return new Result(in.eventId(), Outcome.SOFT_FAILED, softFail, null);
        }
        long ordering = streams.next(tx, "events");
        EventPersister.Written written = persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu,
                in.canonical(), prevs, current, ordering, EventPersister.Kind.TIMELINE, null, null, null, null));
        return new Result(in.eventId(), Outcome.ACCEPTED, null, written.event());
    }

    /**
     * Looks again at soft-failed events of a room (see {@link org.callhs.core.spi.SoftFailedEvents}):
     * each one without a state key that the current state now allows joins the timeline with a new
     * stream position. Returns the IDs readmitted.
     */
    public List<String> readmit(String roomId, List<String> eventIds) {
        List<PersistedEvent> written = new ArrayList<>();
        return locks.withLock(roomId, () -> {
            List<String> readmitted = database.transaction(tx -> {
                RoomsRecord room = rooms.findForWrite(tx, roomId).orElse(null);
                if (room == null) return List.<String>of();
                RoomVersion version = RoomVersion.require(room.getRoomVersion());
                StateStore.Group current = states.load(tx, room.getStateGroup());
                List<String> ids = new ArrayList<>();
                for (String eventId : eventIds) {
                    EventsRecord record = events.findAny(tx, eventId).orElse(null);
                    if (record == null || !roomId.equals(record.getRoomId()) || !Boolean.TRUE.equals(record.getSoftFailed())
                            || record.getStateKey() != null || record.getRejectedReason() != null) continue;
                    ObjectNode pdu = eventStore.pdu(tx, eventId).orElse(null);
                    if (pdu == null || authBy(tx, pdu, current.state(), version, "the current state") != null) continue;
                    written.add(persister.readmit(tx, record, pdu, version, streams.next(tx, "events")));
                    ids.add(eventId);
                }
                return ids;
            });
            listeners.committed(written);
            return readmitted;
        });
    }

    private Result appendLocked(DSLContext tx, Incoming in) {
        RoomsRecord room = rooms.findForWrite(tx, in.roomId()).orElseThrow(() -> new IllegalStateException("unknown room " + in.roomId()));
        RoomVersion version = RoomVersion.require(room.getRoomVersion());
        Optional<EventsRecord> existing = events.findAny(tx, in.eventId());
        if (existing.isPresent()) {
            if (!Boolean.TRUE.equals(existing.get().getOutlier())) return new Result(in.eventId(), Outcome.ALREADY_KNOWN, null, null);
            // Known so far only as an outlier: it now joins the timeline with its state.
            events.deleteOutlier(tx, in.eventId());
            edges.delete(tx, in.eventId());
        }
        ObjectNode pdu = in.pdu();
        List<String> prevs = prevEvents(pdu);

        // The state before the event: the resolution of the states after its prev events.
        List<Map<StateKey, String>> prevStates = prevStates(tx, prevs, in.missingPrevStates());
        StateStore.Group current = states.load(tx, room.getStateGroup());
        Map<StateKey, String> before = prevStates.isEmpty() ? current.state()
                : StateResolution.resolve(version, prevStates, source(tx));
        StateStore.Group beforeGroup = groupFor(tx, in.roomId(), before, current);

        String reason = authByOwnAuthEvents(tx, pdu, version);
        if (reason == null) reason = authBy(tx, pdu, before, version, "the state before it");
        if (reason != null) {
            persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu, in.canonical(), prevs, beforeGroup, null,
                    EventPersister.Kind.REJECTED, reason, null, null, null));
            return new Result(in.eventId(), Outcome.REJECTED, reason, null);
        }
        String softFail = authBy(tx, pdu, current.state(), version, "the current state");
        if (softFail != null) {
            persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu, in.canonical(), prevs, beforeGroup, null,
                    EventPersister.Kind.SOFT_FAILED, softFail, null, null, null));
            return new Result(in.eventId(), Outcome.SOFT_FAILED, softFail, null);
        }

        long ordering = streams.next(tx, "events");
        EventPersister.Written written = persister.write(tx, new EventPersister.Row(in.eventId(), in.roomId(), version, pdu,
                in.canonical(), prevs, beforeGroup, ordering, EventPersister.Kind.TIMELINE, null, null, null, null));

        // Forward extremities: the prev events it names leave, it joins (unless an accepted event already names it).
        List<ExtremityRepository.Extremity> old = extremities.list(tx, in.roomId());
        Set<String> oldIds = new LinkedHashSet<>();
        for (ExtremityRepository.Extremity e : old) oldIds.add(e.eventId());
        Set<String> removed = new HashSet<>(prevs);
        removed.retainAll(oldIds);
        boolean hasChildren = !edges.children(tx, in.eventId()).isEmpty();
        long depth = pdu.path("depth").asLong();
        List<ExtremityRepository.Extremity> added = hasChildren ? List.of() : List.of(new ExtremityRepository.Extremity(in.eventId(), depth));
        extremities.replace(tx, in.roomId(), removed, added);

        // Current state: the state after this event when it follows every old extremity, else the resolution of all extremities.
        StateStore.Group next;
        if (!hasChildren && removed.size() == oldIds.size()) {
            next = written.stateAfter();
        } else {
            List<Map<StateKey, String>> tips = new ArrayList<>();
            for (ExtremityRepository.Extremity e : extremities.list(tx, in.roomId())) {
                events.findAny(tx, e.eventId()).map(EventsRecord::getStateGroupAfter)
                        .ifPresent(group -> tips.add(states.load(tx, group).state()));
            }
            Map<StateKey, String> resolved = tips.isEmpty() ? current.state() : StateResolution.resolve(version, tips, source(tx));
            next = groupFor(tx, in.roomId(), resolved, written.stateAfter());
        }
        if (next.id() != current.id()) {
            writeCurrentState(tx, in.roomId(), current.state(), next.state());
        }
        rooms.advance(tx, in.roomId(), depth, next.id());
        return new Result(in.eventId(), Outcome.ACCEPTED, null, written.event());
    }

    /** The states after the prev events this server holds with their state, plus {@code missing} (those it was given). */
    private List<Map<StateKey, String>> prevStates(DSLContext tx, List<String> prevs, List<Map<StateKey, String>> missing) {
        List<Map<StateKey, String>> prevStates = new ArrayList<>(missing);
        for (String prev : prevs) {
            Optional<EventsRecord> record = events.findAny(tx, prev);
            if (record.isPresent() && record.get().getStateGroupAfter() != null) {
                prevStates.add(states.load(tx, record.get().getStateGroupAfter()).state());
            }
        }
        return prevStates;
    }

    /** A stored group holding exactly {@code state}: {@code near} itself, a delta over it, or a new snapshot when keys were removed. */
    private StateStore.Group groupFor(DSLContext tx, String roomId, Map<StateKey, String> state, StateStore.Group near) {
        if (near.state().equals(state)) return near;
        if (state.keySet().containsAll(near.state().keySet())) {
            Map<StateKey, String> delta = new HashMap<>();
            state.forEach((k, v) -> {
                if (!v.equals(near.state().get(k))) delta.put(k, v);
            });
            return states.append(tx, roomId, near, delta);
        }
        return states.append(tx, roomId, null, state);
    }

    private void writeCurrentState(DSLContext tx, String roomId, Map<StateKey, String> from, Map<StateKey, String> to) {
        for (Map.Entry<StateKey, String> entry : to.entrySet()) {
            if (entry.getValue().equals(from.get(entry.getKey()))) continue;
            StateKey key = entry.getKey();
            String membership = null;
            if (key.type().equals(StateKey.MEMBER_TYPE)) {
                membership = eventStore.pdu(tx, entry.getValue()).map(p -> p.path("content").path("membership").asText(null)).orElse(null);
            }
            currentState.put(tx, roomId, key.type(), key.stateKey(), entry.getValue(), membership);
        }
        for (StateKey key : from.keySet()) {
            if (!to.containsKey(key)) currentState.remove(tx, roomId, key.type(), key.stateKey());
        }
    }

    /**
     * The auth check against the event's own auth events: they must all be stored and not
     * rejected, be the ones the selection rules allow, and allow the event. Null when it passes,
     * else the reason.
     */
    private String authByOwnAuthEvents(DSLContext tx, ObjectNode pdu, RoomVersion version) {
        return authByOwnAuthEvents(tx, pdu, version, new HashMap<>());
    }

    /** An event as auth checks need it: why it was rejected (null if not), and its PDU with its ID. */
    private record AuthEvent(String rejectedReason, ObjectNode pdu) {}

    /** The event {@code id} as stored, through {@code memo} (a batch of outliers reads each auth event once). */
    private Optional<AuthEvent> authEvent(DSLContext tx, String id, Map<String, Optional<AuthEvent>> memo) {
        Optional<AuthEvent> known = memo.get(id);
        if (known != null) return known;
        Optional<AuthEvent> loaded = events.findAny(tx, id)
                .map(record -> new AuthEvent(record.getRejectedReason(), withIdNode(eventStore.pdu(tx, id).orElseThrow(), id)));
        if (loaded.isPresent()) memo.put(id, loaded);
        return loaded;
    }

    private String authByOwnAuthEvents(DSLContext tx, ObjectNode pdu, RoomVersion version, Map<String, Optional<AuthEvent>> memo) {
        Map<StateKey, JsonNode> auth = new HashMap<>();
        List<JsonNode> authEvents = new ArrayList<>();
        for (JsonNode idNode : pdu.path("auth_events")) {
            String id = idNode.asText();
            Optional<AuthEvent> event = authEvent(tx, id, memo);
            if (event.isEmpty()) return "auth event " + id + " is unknown";
            if (event.get().rejectedReason() != null) return "auth event " + id + " was rejected";
            ObjectNode authPdu = event.get().pdu();
            authEvents.add(authPdu);
            JsonNode key = authPdu.get("state_key");
            if (key != null && key.isTextual()) auth.put(StateKey.of(authPdu.path("type").asText(), key.textValue()), authPdu);
        }
        if (version.roomIdIsCreateEventHash() && !"m.room.create".equals(pdu.path("type").asText())) {
            String createId = "$" + pdu.path("room_id").asText("!").substring(1);
            Optional<AuthEvent> create = authEvent(tx, createId, memo);
            if (create.isEmpty()) return "the room's create event is unknown";
            if (create.get().rejectedReason() != null) return "the room's create event was rejected";
            auth.put(StateKey.CREATE, create.get().pdu());
        }
        try {
            AuthRules.checkAuthEventSelection(pdu, authEvents, version);
            AuthRules.check(pdu, StateView.of(auth), version);
            return null;
        } catch (AuthFailure e) {
            return "not allowed by its auth events: " + e.getMessage();
        }
    }

    /** The auth check against {@code state}: null when allowed, else the reason. */
    private String authBy(DSLContext tx, ObjectNode pdu, Map<StateKey, String> state, RoomVersion version, String what) {
        StateView view = key -> {
            String id = state.get(key);
            return id == null ? Optional.empty() : eventStore.pdu(tx, id).map(p -> withId(p, id));
        };
        try {
            AuthRules.check(pdu, view, version);
            return null;
        } catch (AuthFailure e) {
            return "not allowed by " + what + ": " + e.getMessage();
        }
    }

    /** The PDU with its event ID attached, for the rules that compare IDs (the creator's first join, v12 room IDs). */
    private static JsonNode withId(ObjectNode pdu, String eventId) {
        if (pdu.has("event_id")) return pdu;
        ObjectNode copy = pdu.deepCopy();
        copy.put("event_id", eventId);
        return copy;
    }

    private static List<String> prevEvents(JsonNode pdu) {
        List<String> prevs = new ArrayList<>();
        for (JsonNode id : pdu.path("prev_events")) if (id.isTextual()) prevs.add(id.textValue());
        return prevs;
    }

    /** Stored events for state resolution, with their rejection marks. */
    private EventSource source(DSLContext tx) {
        return id -> events.findAny(tx, id).map(r -> new ResolvableEvent(id, withIdNode(eventStore.pdu(tx, id).orElseThrow(), id),
                r.getRejectedReason() != null));
    }

    private static ObjectNode withIdNode(ObjectNode pdu, String id) {
        return (ObjectNode) withId(pdu, id);
    }
}
