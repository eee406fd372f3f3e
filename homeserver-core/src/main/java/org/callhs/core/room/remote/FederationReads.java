package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.EventStore;
import org.callhs.core.room.StateStore;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * What other servers may read of a room (Server-Server API "Retrieving events", "Backfilling
 * and retrieving missing events"): single events, the state at an event and its auth chain,
 * missing events and backfill. A server reads a room's events when it has a member in the room
 * now or had one in the state at the event; with history visibility {@code shared} or
 * {@code world_readable} any server that ever had a member may read. Rejected events are never
 * served; soft-failed ones and outliers are.
 */
public final class FederationReads {
    /** Most events {@code /backfill} and {@code /get_missing_events} return (Synapse caps both at 100). */
    static final int MAX_EVENTS = 100;

    private final Database database;
    private final RoomRepository rooms;
    private final EventRepository events;
    private final EventStore eventStore;
    private final StateStore states;
    private final ServerAcls acls;

    public FederationReads(Database database, RoomRepository rooms, EventRepository events, EventStore eventStore, StateStore states,
                           ServerAcls acls) {
        this.acls = acls;
        this.database = database;
        this.rooms = rooms;
        this.events = events;
        this.eventStore = eventStore;
        this.states = states;
    }

    /** {@code GET /event/{eventId}}: the PDU, when {@code origin} may see it; else 404. */
    public ObjectNode event(String origin, String eventId) {
        DSLContext dsl = database.dsl();
        EventsRecord record = events.findAny(dsl, eventId).filter(r -> r.getRejectedReason() == null)
                .orElseThrow(() -> MatrixException.notFound("Unknown event"));
        if (!mayRead(dsl, origin, record)) throw MatrixException.notFound("Unknown event");
        acls.require(record.getRoomId(), origin);
        return eventStore.pdu(dsl, eventId).orElseThrow();
    }

    /** The state before {@code eventId} in {@code roomId} and the auth chain of that state, as PDUs or IDs. */
    public record StateAt(List<String> stateIds, List<String> authChainIds) {}

    /** {@code GET /state_ids/{roomId}?event_id=}: the state before the event and its auth chain. */
    public StateAt stateAt(String origin, String roomId, String eventId) {
        DSLContext dsl = database.dsl();
        EventsRecord record = readableEvent(dsl, origin, roomId, eventId);
        if (Boolean.TRUE.equals(record.getOutlier())) throw MatrixException.notFound("The state at this event is not known here");
        Map<StateKey, String> state = record.getStateGroupBefore() == null ? Map.of()
                : states.load(dsl, record.getStateGroupBefore()).state();
        List<String> stateIds = new ArrayList<>(state.values());
        return new StateAt(stateIds, new ArrayList<>(authChain(dsl, stateIds)));
    }

    /** {@code GET /event_auth/{roomId}/{eventId}}: the event's full auth chain. */
    public List<ObjectNode> eventAuth(String origin, String roomId, String eventId) {
        DSLContext dsl = database.dsl();
        readableEvent(dsl, origin, roomId, eventId);
        return pdus(dsl, authChain(dsl, List.of(eventId)));
    }

    /** An event of the room that {@code origin} may read: 404 when unknown or rejected, 403 when the server may not. */
    private EventsRecord readableEvent(DSLContext dsl, String origin, String roomId, String eventId) {
        requireRoom(dsl, roomId);
        acls.require(roomId, origin);
        EventsRecord record = events.findAny(dsl, eventId).filter(r -> r.getRoomId().equals(roomId) && r.getRejectedReason() == null)
                .orElseThrow(() -> MatrixException.notFound("Unknown event"));
        if (!mayRead(dsl, origin, record)) throw MatrixException.forbidden("Server " + origin + " may not read this room");
        return record;
    }

    /** The PDUs of {@code ids}, in the order given; unknown IDs are left out. */
    public List<ObjectNode> pdus(Collection<String> ids) {
        return pdus(database.dsl(), ids);
    }

    /**
     * {@code POST /get_missing_events/{roomId}}: walking back from the prev events of
     * {@code latest}, the events not in {@code earliest} (nor before them), at depth
     * {@code minDepth} or more, at most {@code limit}, oldest first.
     */
    public List<ObjectNode> missingEvents(String origin, String roomId, List<String> earliest, List<String> latest, int limit, long minDepth) {
        DSLContext dsl = database.dsl();
        requireRoom(dsl, roomId);
        acls.require(roomId, origin);
        int max = Math.max(0, Math.min(limit, MAX_EVENTS));
        Set<String> stop = new HashSet<>(earliest);
        Set<String> seen = new HashSet<>(latest);
        Deque<String> todo = new ArrayDeque<>();
        for (String id : latest) {
            events.findAny(dsl, id).filter(r -> r.getRoomId().equals(roomId))
                    .flatMap(r -> eventStore.pdu(dsl, id)).ifPresent(pdu -> pdu.path("prev_events").forEach(p -> todo.add(p.asText())));
        }
        List<EventsRecord> found = new ArrayList<>();
        while (!todo.isEmpty() && found.size() < max) {
            String id = todo.poll();
            if (stop.contains(id) || !seen.add(id)) continue;
            Optional<EventsRecord> record = events.findAny(dsl, id).filter(r -> r.getRoomId().equals(roomId));
            if (record.isEmpty() || record.get().getRejectedReason() != null || Boolean.TRUE.equals(record.get().getOutlier())) continue;
            if (record.get().getDepth() < minDepth) continue;
            if (!mayRead(dsl, origin, record.get())) continue;
            found.add(record.get());
            eventStore.pdu(dsl, id).ifPresent(pdu -> pdu.path("prev_events").forEach(p -> todo.add(p.asText())));
        }
        found.sort(Comparator.comparingLong(EventsRecord::getDepth).thenComparing(EventsRecord::getEventId));
        return pdus(dsl, found.stream().map(EventsRecord::getEventId).toList());
    }

    /** {@code GET /backfill/{roomId}?v=&limit=}: the {@code v} events and their ancestors, newest (deepest) first. */
    public List<ObjectNode> backfill(String origin, String roomId, List<String> from, int limit) {
        DSLContext dsl = database.dsl();
        requireRoom(dsl, roomId);
        acls.require(roomId, origin);
        int max = Math.max(0, Math.min(limit, MAX_EVENTS));
        java.util.PriorityQueue<EventsRecord> frontier = new java.util.PriorityQueue<>(
                Comparator.comparingLong(EventsRecord::getDepth).reversed().thenComparing(EventsRecord::getEventId));
        Set<String> seen = new HashSet<>();
        for (String id : from) {
            if (!seen.add(id)) continue;
            events.findAny(dsl, id).filter(r -> r.getRoomId().equals(roomId)).ifPresent(frontier::add);
        }
        List<String> out = new ArrayList<>();
        while (!frontier.isEmpty() && out.size() < max) {
            EventsRecord next = frontier.poll();
            if (next.getRejectedReason() != null || Boolean.TRUE.equals(next.getOutlier())) continue;
            if (!mayRead(dsl, origin, next)) continue;
            out.add(next.getEventId());
            eventStore.pdu(dsl, next.getEventId()).ifPresent(pdu -> pdu.path("prev_events").forEach(p -> {
                if (seen.add(p.asText())) events.findAny(dsl, p.asText()).filter(r -> r.getRoomId().equals(roomId)).ifPresent(frontier::add);
            }));
        }
        return pdus(dsl, out);
    }

    /** {@code GET /timestamp_to_event/{roomId}}: the closest timeline event {@code origin} may read; 404 when none. */
    public ObjectNode timestampToEvent(String origin, String roomId, long ts, boolean forwards) {
        DSLContext dsl = database.dsl();
        requireRoom(dsl, roomId);
        acls.require(roomId, origin);
        EventsRecord record = events.closestTo(dsl, roomId, ts, forwards).filter(r -> mayRead(dsl, origin, r))
                .orElseThrow(() -> MatrixException.notFound("No event found " + (forwards ? "after" : "before") + " " + ts));
        ObjectNode answer = org.callhs.core.util.Json.object();
        answer.put("event_id", record.getEventId());
        answer.put("origin_server_ts", record.getOriginServerTs());
        return answer;
    }

    /** Every event reachable from {@code ids} through {@code auth_events} (the starting events excluded). */
    public Set<String> authChain(DSLContext dsl, Collection<String> ids) {
        Set<String> chain = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>();
        for (String id : ids) eventStore.pdu(dsl, id).ifPresent(pdu -> pdu.path("auth_events").forEach(a -> todo.add(a.asText())));
        while (!todo.isEmpty()) {
            String id = todo.poll();
            if (chain.contains(id)) continue;
            Optional<ObjectNode> pdu = eventStore.pdu(dsl, id);
            if (pdu.isEmpty()) continue;
            chain.add(id);
            pdu.get().path("auth_events").forEach(a -> todo.add(a.asText()));
        }
        return chain;
    }

    private List<ObjectNode> pdus(DSLContext dsl, Collection<String> ids) {
        List<ObjectNode> out = new ArrayList<>();
        for (String id : ids) eventStore.pdu(dsl, id).ifPresent(out::add);
        return out;
    }

    private RoomsRecord requireRoom(DSLContext dsl, String roomId) {
        return rooms.find(dsl, roomId).filter(r -> !Boolean.TRUE.equals(r.getIsStub()))
                .orElseThrow(() -> MatrixException.notFound("Unknown room"));
    }

    /**
     * Whether {@code origin} may read an event: it has a member in the room's current state or
     * had one joined or invited in the state at the event; or the history visibility at the
     * event is {@code shared} or {@code world_readable} and the server ever had a member.
     */
    boolean mayRead(DSLContext dsl, String origin, EventsRecord record) {
        Map<StateKey, String> current = rooms.find(dsl, record.getRoomId())
                .map(r -> states.load(dsl, r.getStateGroup()).state()).orElse(Map.of());
        boolean everMember = false;
        for (Map.Entry<StateKey, String> entry : current.entrySet()) {
            if (!entry.getKey().type().equals(StateKey.MEMBER_TYPE) || !isOf(entry.getKey().stateKey(), origin)) continue;
            everMember = true;
            String membership = membership(dsl, entry.getValue());
            if ("join".equals(membership) || "invite".equals(membership)) return true;
        }
        Long group = record.getStateGroupAfter() != null ? record.getStateGroupAfter() : record.getStateGroupBefore();
        if (group == null) return everMember;
        Map<StateKey, String> atEvent = states.load(dsl, group).state();
        for (Map.Entry<StateKey, String> entry : atEvent.entrySet()) {
            if (!entry.getKey().type().equals(StateKey.MEMBER_TYPE) || !isOf(entry.getKey().stateKey(), origin)) continue;
            everMember = true;
            String membership = membership(dsl, entry.getValue());
            if ("join".equals(membership) || "invite".equals(membership)) return true;
        }
        if (!everMember) return false;
        String visibility = Optional.ofNullable(atEvent.get(StateKey.of("m.room.history_visibility", "")))
                .flatMap(id -> eventStore.pdu(dsl, id)).map(p -> p.path("content").path("history_visibility").asText("shared"))
                .orElse("shared");
        return visibility.equals("shared") || visibility.equals("world_readable");
    }

    private String membership(DSLContext dsl, String eventId) {
        return eventStore.pdu(dsl, eventId).map(p -> p.path("content").path("membership").asText(null)).orElse(null);
    }

    private static boolean isOf(String userId, String server) {
        return MatrixIds.isValidUserId(userId) && MatrixIds.serverName(userId).equals(server);
    }

    /** The servers with a joined member in {@code state}. */
    public Set<String> joinedServers(DSLContext dsl, Map<StateKey, String> state) {
        Set<String> servers = new java.util.TreeSet<>();
        for (Map.Entry<StateKey, String> entry : state.entrySet()) {
            if (!entry.getKey().type().equals(StateKey.MEMBER_TYPE) || !MatrixIds.isValidUserId(entry.getKey().stateKey())) continue;
            if ("join".equals(membership(dsl, entry.getValue()))) servers.add(MatrixIds.serverName(entry.getKey().stateKey()));
        }
        return servers;
    }
}
