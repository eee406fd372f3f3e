package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.RemoteEventAppender;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.RemoteEvents;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives PDUs other servers send (a {@code /send} transaction, a join's returned state):
 * the format, signature and hash checks ({@link PduChecks}), then what the event cites and
 * this server lacks: missing auth events from {@code /event_auth}, missing prev events from
 * {@code /get_missing_events}, and when a gap remains, the state at the missing prev event
 * from {@code /state_ids} and {@code /event}. Then {@link RemoteEventAppender} runs the
 * checks that need the room and writes it. An event from below the depth at which this server
 * joined the room through another server is history, not a gap: it is written as an old event
 * ({@link RemoteEventAppender#appendOld}) without fetching anything before it. One bad PDU
 * never affects another: every failure ends as that PDU's own error.
 */
public final class PduReceiver {
    private static final Logger log = LoggerFactory.getLogger(PduReceiver.class);
    /** Most events {@code get_missing_events} asks for at once (as Synapse). */
    static final int MISSING_EVENTS_LIMIT = 10;
    /** Most events fetched one by one to fill one gap (the state at a missing prev event). */
    static final int MAX_FETCHED_PER_GAP = 2_000;
    /** How long a PDU for a room this server is joining waits for the join to be stored. */
    static final long JOIN_WAIT_MS = 60_000;

    /** What became of one PDU: its event ID (null when it has none) and null or the reason it was refused or rejected. */
    public record Receipt(String eventId, String error) {
        public boolean ok() { return error == null; }
    }

    private final Database database;
    private final RoomRepository rooms;
    private final EventRepository events;
    private final ExtremityRepository extremities;
    private final PduChecks checks;
    private final RemoteEventAppender appender;
    private final Supplier<RemoteEvents> remote;
    private final ServerAcls acls;
    private final JoinsInProgress joins;

    public PduReceiver(Database database, RoomRepository rooms, EventRepository events, ExtremityRepository extremities,
                       PduChecks checks, RemoteEventAppender appender, Supplier<RemoteEvents> remote, ServerAcls acls,
                       JoinsInProgress joins) {
        this.joins = joins;
        this.acls = acls;
        this.database = database;
        this.rooms = rooms;
        this.events = events;
        this.extremities = extremities;
        this.checks = checks;
        this.appender = appender;
        this.remote = remote;
    }

    /** A room this server holds (not one known only through an invite), if it does. */
    private Optional<RoomsRecord> heldRoom(String roomId) {
        return rooms.find(database.dsl(), roomId).filter(r -> !Boolean.TRUE.equals(r.getIsStub()));
    }

    /** The version of a room this server holds, if it does. */
    public Optional<RoomVersion> roomVersion(String roomId) {
        return heldRoom(roomId).map(r -> RoomVersion.require(r.getRoomVersion()));
    }

    /** Receives one PDU that {@code origin} sent into a room; never throws for bad input. */
    public Receipt receive(String origin, JsonNode raw) {
        String roomId = raw != null && raw.path("room_id").isTextual() ? raw.get("room_id").textValue() : null;
        Optional<RoomsRecord> room = roomId == null ? Optional.empty() : heldRoom(roomId);
        if (room.isEmpty() && roomId != null) {
            joins.awaitJoin(roomId, JOIN_WAIT_MS);
            room = heldRoom(roomId);
        }
        if (room.isEmpty()) return new Receipt(null, "This server is not in room " + roomId);
        RoomVersion version = RoomVersion.require(room.get().getRoomVersion());
        // Where this server joined through another server (0 for rooms created here): events below it are history.
        long joinedDepth = room.get().getJoinedDepth() == null ? 0 : room.get().getJoinedDepth();
        String eventId = guessId(raw, version);
        if (!acls.allows(roomId, origin)) return new Receipt(eventId, "Server " + origin + " is denied by the room's server ACL");
        try {
            return receiveChecked(origin, roomId, version, checks.check(raw, version, roomId), true, joinedDepth);
        } catch (InvalidPdu e) {
            return new Receipt(eventId, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("receiving {} from {} failed", eventId, origin, e);
            return new Receipt(eventId, "Internal error while processing the event");
        }
    }

    private Receipt receiveChecked(String origin, String roomId, RoomVersion version, PduChecks.Checked checked, boolean fillGaps,
                                   long joinedDepth) {
        String eventId = checked.eventId();
        Optional<EventsRecord> known = events.findAny(database.dsl(), eventId);
        if (known.isPresent() && !Boolean.TRUE.equals(known.get().getOutlier())) return receipt(known.get());
        fetchMissingAuthEvents(origin, roomId, version, checked);
        RemoteEventAppender.Result result;
        if (fillGaps && checked.pdu().path("depth").asLong() < joinedDepth) {
            // From before this server joined (a sticky event pushed to a server that joined after it): history.
            result = appender.appendOld(new RemoteEventAppender.Incoming(eventId, roomId, checked.pdu(), checked.canonical(), List.of()));
        } else {
            List<String> missing = missingPrevs(prevEvents(checked));
            List<Map<StateKey, String>> missingPrevStates = missing.isEmpty() || !fillGaps ? List.of()
                    : fillPrevGap(origin, roomId, version, checked, joinedDepth);
            result = appender.append(new RemoteEventAppender.Incoming(eventId, roomId, checked.pdu(), checked.canonical(),
                    missingPrevStates));
        }
        return switch (result.outcome()) {
            case ACCEPTED, ALREADY_KNOWN, SOFT_FAILED -> new Receipt(eventId, null);
            case REJECTED -> new Receipt(eventId, result.reason());
        };
    }

    private static Receipt receipt(EventsRecord record) {
        return new Receipt(record.getEventId(), record.getRejectedReason());
    }

    /** Fetches the event's auth chain when some auth event is unknown, and stores what it lacks as outliers. */
    void fetchMissingAuthEvents(String origin, String roomId, RoomVersion version, PduChecks.Checked checked) {
        List<String> needed = new ArrayList<>();
        for (JsonNode id : checked.pdu().path("auth_events")) needed.add(id.asText());
        if (version.roomIdIsCreateEventHash()) needed.add("$" + roomId.substring(1));
        if (allStored(needed)) return;
        List<JsonNode> chain;
        try {
            chain = remote.get().eventAuth(origin, roomId, checked.eventId());
        } catch (RuntimeException e) {
            log.info("cannot fetch the auth chain of {} from {}: {}", checked.eventId(), origin, e.getMessage());
            return;
        }
        storeOutliers(roomId, version, chain);
    }

    /**
     * Fills the gap between the event and what this server holds: {@code get_missing_events}
     * first, none below {@code minDepth} (where this server joined; those events are received in
     * turn, oldest first); prev events still missing get their state fetched. Returns the states
     * after the prev events this server still lacks.
     */
    private List<Map<StateKey, String>> fillPrevGap(String origin, String roomId, RoomVersion version, PduChecks.Checked checked,
                                                    long minDepth) {
        List<String> prevs = prevEvents(checked);

        List<String> earliest = new ArrayList<>();
        for (ExtremityRepository.Extremity e : extremities.list(database.dsl(), roomId)) earliest.add(e.eventId());
        try {
            List<JsonNode> fetched = new ArrayList<>(remote.get().missingEvents(origin, roomId, earliest, List.of(checked.eventId()),
                    MISSING_EVENTS_LIMIT, minDepth));
            fetched.sort(Comparator.comparingLong(e -> e.path("depth").asLong()));
            for (JsonNode raw : fetched) {
                try {
                    PduChecks.Checked gapEvent = checks.check(raw, version, roomId);
                    if (gapEvent.eventId().equals(checked.eventId())) continue;
                    receiveChecked(origin, roomId, version, gapEvent, false, minDepth);
                } catch (InvalidPdu e) {
                    log.info("dropping a missing event from {}: {}", origin, e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            log.info("get_missing_events for {} from {} failed: {}", checked.eventId(), origin, e.getMessage());
        }

        List<Map<StateKey, String>> states = new ArrayList<>();
        for (String prev : missingPrevs(prevs)) {
            stateAfter(origin, roomId, version, prev).ifPresent(states::add);
        }
        return states;
    }

    private static List<String> prevEvents(PduChecks.Checked checked) {
        List<String> prevs = new ArrayList<>();
        for (JsonNode id : checked.pdu().path("prev_events")) prevs.add(id.asText());
        return prevs;
    }

    /** The prev events this server does not hold with their state (unknown, or only an outlier). */
    private List<String> missingPrevs(List<String> prevs) {
        List<String> missing = new ArrayList<>();
        for (String prev : prevs) {
            Optional<EventsRecord> record = events.findAny(database.dsl(), prev);
            if (record.isEmpty() || record.get().getStateGroupAfter() == null) missing.add(prev);
        }
        return missing;
    }

    /**
     * The state after an event this server lacks: the state before it from {@code /state_ids},
     * its events fetched and stored as outliers, then the event itself on top (when it is a
     * state event that was not rejected).
     */
    Optional<Map<StateKey, String>> stateAfter(String origin, String roomId, RoomVersion version, String eventId) {
        Optional<RemoteEvents.StateIds> ids;
        try {
            ids = remote.get().stateIds(origin, roomId, eventId);
        } catch (RuntimeException e) {
            log.info("state_ids at {} from {} failed: {}", eventId, origin, e.getMessage());
            return Optional.empty();
        }
        if (ids.isEmpty()) return Optional.empty();
        Set<String> wanted = new HashSet<>(ids.get().authChainIds());
        wanted.addAll(ids.get().pduIds());
        wanted.add(eventId);
        List<JsonNode> fetched = new ArrayList<>();
        int count = 0;
        for (String id : wanted) {
            if (events.findAny(database.dsl(), id).isPresent()) continue;
            if (++count > MAX_FETCHED_PER_GAP) {
                log.warn("the state at {} from {} needs more than {} events; giving up", eventId, origin, MAX_FETCHED_PER_GAP);
                return Optional.empty();
            }
            try {
                remote.get().event(origin, id).ifPresent(fetched::add);
            } catch (RuntimeException e) {
                log.info("fetching {} from {} failed: {}", id, origin, e.getMessage());
            }
        }
        storeOutliers(roomId, version, fetched);
        Map<StateKey, String> state = new HashMap<>();
        for (String id : ids.get().pduIds()) {
            Optional<EventsRecord> record = events.findAny(database.dsl(), id);
            if (record.isEmpty() || record.get().getStateKey() == null) continue;
            if (record.get().getRejectedReason() != null) continue;
            state.put(StateKey.of(record.get().getEventType(), record.get().getStateKey()), id);
        }
        Optional<EventsRecord> self = events.findAny(database.dsl(), eventId);
        if (self.isEmpty()) return Optional.empty();
        if (self.get().getStateKey() != null && self.get().getRejectedReason() == null) {
            state.put(StateKey.of(self.get().getEventType(), self.get().getStateKey()), eventId);
        }
        return Optional.of(state);
    }

    /** Checks and stores events as outliers, auth events before the events citing them; bad ones are dropped. */
    public void storeOutliers(String roomId, RoomVersion version, List<JsonNode> raws) {
        Map<String, PduChecks.Checked> byId = new LinkedHashMap<>();
        for (JsonNode raw : raws) {
            try {
                String expectedRoom = version.roomIdIsCreateEventHash() && "m.room.create".equals(raw.path("type").asText()) ? null : roomId;
                PduChecks.Checked checked = checks.check(raw, version, expectedRoom);
                if (expectedRoom == null && !("!" + checked.eventId().substring(1)).equals(roomId)) continue;
                byId.put(checked.eventId(), checked);
            } catch (InvalidPdu | IllegalArgumentException e) {
                log.info("dropping a fetched event: {}", e.getMessage());
            }
        }
        // The create event first: in v12 no event lists it, yet every event needs it.
        List<String> order = new ArrayList<>(authOrder(byId));
        order.sort(Comparator.comparingInt(id -> "m.room.create".equals(byId.get(id).pdu().path("type").asText()) ? 0 : 1));
        List<RemoteEventAppender.Outlier> outliers = new ArrayList<>(order.size());
        for (String id : order) {
            PduChecks.Checked checked = byId.get(id);
            outliers.add(new RemoteEventAppender.Outlier(id, checked.pdu(), checked.canonical()));
        }
        appender.appendOutliers(roomId, version, outliers);
    }

    /** The IDs of {@code byId}, each after the auth events of it that are also in {@code byId}. */
    private static List<String> authOrder(Map<String, PduChecks.Checked> byId) {
        List<String> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        for (String id : byId.keySet()) visit(id, byId, done, new HashSet<>(), order);
        return order;
    }

    private static void visit(String start, Map<String, PduChecks.Checked> byId, Set<String> done, Set<String> onPath, List<String> order) {
        // Iterative depth-first walk; a cycle (only forged events make one) is cut where it closes.
        record Frame(String id, List<String> parents, int next) {}
        if (done.contains(start)) return;
        java.util.ArrayDeque<Frame> stack = new java.util.ArrayDeque<>();
        stack.push(new Frame(start, parents(byId.get(start)), 0));
        onPath.add(start);
        while (!stack.isEmpty()) {
            Frame top = stack.pop();
            if (top.next() < top.parents().size()) {
                stack.push(new Frame(top.id(), top.parents(), top.next() + 1));
                String parent = top.parents().get(top.next());
                if (byId.containsKey(parent) && !done.contains(parent) && onPath.add(parent)) {
                    stack.push(new Frame(parent, parents(byId.get(parent)), 0));
                }
                continue;
            }
            onPath.remove(top.id());
            if (done.add(top.id())) order.add(top.id());
        }
    }

    private static List<String> parents(PduChecks.Checked checked) {
        List<String> ids = new ArrayList<>();
        for (JsonNode id : checked.pdu().path("auth_events")) ids.add(id.asText());
        return ids;
    }

    private boolean allStored(List<String> ids) {
        for (String id : ids) if (events.findAny(database.dsl(), id).isEmpty()) return false;
        return true;
    }

    /** The event ID a PDU would have, for the answer; null when it cannot be hashed. */
    static String guessId(JsonNode raw, RoomVersion version) {
        if (raw == null || !raw.isObject()) return null;
        try {
            ObjectNode copy = ((ObjectNode) raw).deepCopy();
            copy.remove("unsigned");
            return EventHashes.eventId(copy, version);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
