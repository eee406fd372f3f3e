package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.EventBuilder;
import org.callhs.core.room.RemoteEventAppender;
import org.callhs.core.room.RoomLocks;
import org.callhs.core.room.StateStore;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.RemoteServers;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The joining server's side of a join over federation (Server-Server API "Joining rooms"):
 * {@code make_join} on a resident server, the template filled in and signed here,
 * {@code send_join}, and then the room as the resident answered it: every event of the state
 * and the auth chain checked (format, signatures, hashes, auth against its auth events) and
 * stored as outliers, the room recorded with that state, and the join written on top of it
 * with the same checks as any remote event. The next server is tried when one fails.
 */
public final class RemoteJoiner {
    private static final Logger log = LoggerFactory.getLogger(RemoteJoiner.class);

    private final Database database;
    private final String serverName;
    private final RoomRepository rooms;
    private final ExtremityRepository extremities;
    private final EventRepository events;
    private final StateStore states;
    private final org.callhs.core.storage.repo.CurrentStateRepository currentState;
    private final RoomLocks locks;
    /**
     * One remote join per room at a time, held across the network calls (unlike the room's write
     * lock): striped by room ID, so rooms sharing a stripe wait on each other's joins, rarely.
     */
    private final java.util.concurrent.locks.ReentrantLock[] joining = newStripes(64);
    private final EventBuilder builder;
    private final PduReceiver receiver;
    private final RemoteEventAppender appender;
    private final Supplier<RemoteServers> remote;
    private final Clock clock;
    private final JoinsInProgress inProgress;

    public RemoteJoiner(Database database, String serverName, RoomRepository rooms, ExtremityRepository extremities, EventRepository events,
                        StateStore states, org.callhs.core.storage.repo.CurrentStateRepository currentState, RoomLocks locks,
                        EventBuilder builder, PduReceiver receiver, RemoteEventAppender appender,
                        Supplier<RemoteServers> remote, Clock clock, JoinsInProgress inProgress) {
        this.inProgress = inProgress;
        this.database = database;
        this.serverName = serverName;
        this.rooms = rooms;
        this.extremities = extremities;
        this.events = events;
        this.states = states;
        this.currentState = currentState;
        this.locks = locks;
        this.builder = builder;
        this.receiver = receiver;
        this.appender = appender;
        this.remote = remote;
        this.clock = clock;
    }

    /**
     * Joins {@code userId} to {@code roomId} through the first of {@code servers} that lets it,
     * with {@code content} merged into the member event (display name, avatar, reason). Returns
     * the join's event ID; throws the last server's refusal when none did. Remote joins of one
     * room run one at a time: when another local user's join made this server resident while
     * this one waited ({@code residentNow}), nothing is done and the answer is empty, so the
     * caller writes the join here (a second remote join would replace the room's state and
     * extremities with what the resident answered, losing what happened since).
     */
    public Optional<String> join(String userId, String roomId, List<String> servers, ObjectNode content,
                                 java.util.function.BooleanSupplier residentNow) {
        java.util.concurrent.locks.ReentrantLock lock = joining[Math.floorMod(roomId.hashCode(), joining.length)];
        lock.lock();
        try {
            if (residentNow.getAsBoolean()) return Optional.empty();
            try (JoinsInProgress.Marked marked = inProgress.begin(roomId)) {
                return Optional.of(joinThrough(userId, roomId, servers, content));
            }
        } finally {
            lock.unlock();
        }
    }

    private static java.util.concurrent.locks.ReentrantLock[] newStripes(int n) {
        java.util.concurrent.locks.ReentrantLock[] stripes = new java.util.concurrent.locks.ReentrantLock[n];
        for (int i = 0; i < n; i++) stripes[i] = new java.util.concurrent.locks.ReentrantLock();
        return stripes;
    }

    private String joinThrough(String userId, String roomId, List<String> servers, ObjectNode content) {
        List<String> candidates = new ArrayList<>(new LinkedHashSet<>(servers));
        candidates.remove(serverName);
        if (candidates.isEmpty()) throw MatrixException.notFound("No server to join " + roomId + " through");
        MatrixException last = null;
        for (String server : candidates) {
            try {
                return joinVia(server, userId, roomId, content);
            } catch (MatrixException e) {
                log.info("joining {} through {} failed: {}", roomId, server, e.getMessage());
                last = e;
            } catch (RuntimeException e) {
                log.warn("joining {} through {} failed", roomId, server, e);
                last = new MatrixException(ErrCode.UNKNOWN, 502, "Joining through " + server + " failed: " + e.getMessage());
            }
        }
        throw last;
    }

    private String joinVia(String server, String userId, String roomId, ObjectNode content) {
        long t0 = System.nanoTime();
        ObjectNode made = remote.get().makeMembership(server, roomId, userId, "join", RoomVersion.supportedIds());
        long madeMs = (System.nanoTime() - t0) / 1_000_000;
        String versionId = made.path("room_version").asText("1");
        RoomVersion version = RoomVersion.find(versionId).orElseThrow(() -> new MatrixException(ErrCode.UNSUPPORTED_ROOM_VERSION, 400,
                "Room " + roomId + " has version " + versionId + ", which this server does not support"));
        ObjectNode template = made.path("event").deepCopy();
        if (!StateKey.MEMBER_TYPE.equals(template.path("type").asText()) || !roomId.equals(template.path("room_id").asText())
                || !userId.equals(template.path("sender").asText()) || !userId.equals(template.path("state_key").asText())
                || !"join".equals(template.path("content").path("membership").asText())) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "The join template from " + server + " is not a join of this user to this room");
        }
        ObjectNode memberContent = (ObjectNode) template.get("content");
        for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("membership") && !field.getKey().equals("join_authorised_via_users_server")) {
                memberContent.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        template.remove(List.of("hashes", "signatures", "unsigned", "event_id"));
        template.put("origin_server_ts", clock.millis());
        EventBuilder.Signed signed = builder.sign(template, version);
        long t1 = System.nanoTime();
        ObjectNode answer = remote.get().sendMembership(server, roomId, signed.eventId(), "join", signed.pdu());
        long sentMs = (System.nanoTime() - t1) / 1_000_000;
        // Where the resident signed too (restricted joins), its copy is the one to keep.
        JsonNode returned = answer.get("event");
        ObjectNode join = signed.pdu();
        if (returned != null && returned.isObject() && signed.eventId().equals(PduReceiver.guessId(returned, version))) {
            join = ((ObjectNode) returned).deepCopy();
        }
        long t2 = System.nanoTime();
        int stateEvents = settle(server, roomId, version, signed.eventId(), join, answer);
        log.atInfo().setMessage("joined a room over federation").addKeyValue("room_id", roomId).addKeyValue("via", server)
                .addKeyValue("state_events", stateEvents).addKeyValue("version", version.id()).addKeyValue("make_join_ms", madeMs)
                .addKeyValue("send_join_ms", sentMs).addKeyValue("store_ms", (System.nanoTime() - t2) / 1_000_000).log();
        return signed.eventId();
    }

    /** Stores the state and auth chain the resident answered, records the room, and writes the join on top; returns the number of state events kept. */
    private int settle(String server, String roomId, RoomVersion version, String joinId, ObjectNode join, ObjectNode answer) {
        List<JsonNode> received = new ArrayList<>();
        answer.path("auth_chain").forEach(received::add);
        answer.path("state").forEach(received::add);
        receiver.storeOutliers(roomId, version, received);

        Map<StateKey, String> state = new HashMap<>();
        Map<String, JsonNode> stateEvents = new HashMap<>();
        String createId = null;
        for (JsonNode pdu : answer.path("state")) {
            String id = PduReceiver.guessId(pdu, version);
            if (id == null) continue;
            Optional<EventsRecord> record = events.findAny(database.dsl(), id);
            if (record.isEmpty() || record.get().getRejectedReason() != null || record.get().getStateKey() == null) continue;
            state.put(StateKey.of(record.get().getEventType(), record.get().getStateKey()), id);
            stateEvents.put(id, pdu);
            if (record.get().getEventType().equals(StateKey.CREATE_TYPE)) createId = id;
        }
        if (createId == null) throw new MatrixException(ErrCode.UNKNOWN, 502, server + " answered the join without a valid create event");
        if (version.roomIdIsCreateEventHash() && !roomId.equals("!" + createId.substring(1))) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "The create event " + server + " sent is not this room's");
        }
        JsonNode create = events.findAny(database.dsl(), createId).map(r -> (JsonNode) org.callhs.core.util.Json.parse(r.getPdu())).orElseThrow();
        String creator = version.creatorIsCreateSender() ? create.path("sender").asText()
                : create.path("content").path("creator").asText(create.path("sender").asText());

        byte[] canonical;
        try {
            canonical = org.callhs.core.crypto.CanonicalJson.encode(join);
        } catch (IllegalArgumentException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 502, "The join " + server + " returned is not canonical JSON");
        }
        long depth = join.path("depth").asLong();
        List<ExtremityRepository.Extremity> prevs = new ArrayList<>();
        for (JsonNode prev : join.path("prev_events")) prevs.add(new ExtremityRepository.Extremity(prev.asText(), Math.max(0, depth - 1)));
        locks.withLock(roomId, () -> database.transaction(tx -> {
            // A room this server did not know, knew only through an invite (a stub), or left: its state becomes the resident's.
            var existing = rooms.findForWrite(tx, roomId);
            StateStore.Group group = states.append(tx, roomId, null, state);
            if (existing.isEmpty()) {
                rooms.insert(tx, roomId, version.id(), creator, false, clock.millis(), Math.max(0, depth - 1), group.id());
            } else {
                rooms.reset(tx, roomId, Math.max(0, depth - 1), group.id());
                rooms.setStub(tx, roomId, false);
                currentState.clear(tx, roomId);
            }
            rooms.setJoinedDepth(tx, roomId, depth);
            List<String> oldExtremities = new ArrayList<>();
            for (ExtremityRepository.Extremity e : extremities.list(tx, roomId)) oldExtremities.add(e.eventId());
            extremities.replace(tx, roomId, oldExtremities, prevs);
            {
                for (Map.Entry<StateKey, String> entry : state.entrySet()) {
                    String membership = null;
                    if (entry.getKey().type().equals(StateKey.MEMBER_TYPE)) {
                        // The stored outlier is this very event (same ID, so the same content).
                        membership = stateEvents.get(entry.getValue()).path("content").path("membership").asText(null);
                    }
                    currentState.put(tx, roomId, entry.getKey().type(), entry.getKey().stateKey(), entry.getValue(), membership);
                }
            }
            return null;
        }));
        RemoteEventAppender.Result result = appender.append(new RemoteEventAppender.Incoming(joinId, roomId, join, canonical, List.of(state)));
        switch (result.outcome()) {
            case ACCEPTED, ALREADY_KNOWN -> { }
            default -> throw new MatrixException(ErrCode.FORBIDDEN, 403,
                    "The join " + server + " accepted is not allowed by the state it sent: " + result.reason());
        }
        return state.size();
    }
}
