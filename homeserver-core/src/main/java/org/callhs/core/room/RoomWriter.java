package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.AuthFailure;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateView;
import org.callhs.core.spi.SendGuard;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.ExtremityRepository;
import org.callhs.core.storage.repo.EventTransactionRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.jooq.DSLContext;

/**
 * The per-room send queue for local events. Under the room's lock ({@link RoomLocks}, which
 * {@link RemoteEventAppender} takes too) it builds each event ({@link EventBuilder}: the room's
 * forward extremities as {@code prev_events}, {@code auth_events} per the version's selection
 * rules), applies the authorization rules against the current state, and writes it
 * ({@link EventPersister}) with its state change, the room's new extremities and the
 * transaction ID, grouping waiting sends into one database transaction; then it tells the
 * event listeners. Sends with a (user, device, transaction ID) already seen return the first event.
 */
public final class RoomWriter {
    public static final int MAX_PDU_BYTES = EventBuilder.MAX_PDU_BYTES;
    public static final int MAX_ID_BYTES = 255;

    private final Database database;
    private final RoomRepository rooms;
    private final ExtremityRepository extremities;
    private final EventTransactionRepository transactions;
    private final CurrentStateRepository currentState;
    private final StreamPositionRepository streams;
    private final StateStore states;
    private final EventStore eventStore;
    private final EventBuilder builder;
    private final EventPersister persister;
    private final Clock clock;
    private final RoomLocks locks;
    private final EventListeners listeners;
    /** Sends waiting for their room's lock, per room (a queue is dropped when its drainer leaves it empty). */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.ConcurrentLinkedQueue<QueuedSend>> waiting =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Most sends one transaction writes. */
    private static final int MAX_GROUP = 100;

    public RoomWriter(Database database, RoomRepository rooms, ExtremityRepository extremities, EventTransactionRepository transactions,
                      CurrentStateRepository currentState, StreamPositionRepository streams, StateStore states, EventStore eventStore,
                      EventBuilder builder, EventPersister persister, Clock clock, RoomLocks locks, EventListeners listeners) {
        this.database = database;
        this.rooms = rooms;
        this.extremities = extremities;
        this.transactions = transactions;
        this.currentState = currentState;
        this.streams = streams;
        this.states = states;
        this.eventStore = eventStore;
        this.builder = builder;
        this.persister = persister;
        this.clock = clock;
        this.locks = locks;
        this.listeners = listeners;
    }

    /** 404 for a room this server does not have, then the content checks of {@link NewEventValidator}. */
    public void checkSendable(EventDraft draft) {
        checkSizes(draft);
        if (eventStore.version(database.dsl(), draft.roomId()).isEmpty()) throw MatrixException.notFound("Unknown room");
        NewEventValidator.check(draft);
    }

    /**
     * The room as the writer sees it between two events: its forward extremities (deepest
     * first) and its current state.
     */
    private record Head(String roomId, RoomVersion version, List<ExtremityRepository.Extremity> extremities, StateStore.Group state) {}

    private Optional<Head> head(DSLContext tx, String roomId) {
        return rooms.findForWrite(tx, roomId).map(r -> new Head(r.getRoomId(), RoomVersion.require(r.getRoomVersion()),
                extremities.list(tx, roomId), states.load(tx, r.getStateGroup())));
    }

    /** Writes what changed between {@code start} and {@code end}: the room's state group, greatest depth and extremities. */
    private void commitHead(DSLContext tx, Head start, Head end) {
        if (end == null || end == start) return;
        long depth = 0;
        for (ExtremityRepository.Extremity e : end.extremities()) depth = Math.max(depth, e.depth());
        rooms.advance(tx, end.roomId(), depth, end.state().id());
        Set<String> before = new java.util.HashSet<>();
        if (start != null) for (ExtremityRepository.Extremity e : start.extremities()) before.add(e.eventId());
        Set<String> after = new java.util.HashSet<>();
        for (ExtremityRepository.Extremity e : end.extremities()) after.add(e.eventId());
        List<String> removed = new ArrayList<>();
        for (String id : before) if (!after.contains(id)) removed.add(id);
        List<ExtremityRepository.Extremity> added = new ArrayList<>();
        for (ExtremityRepository.Extremity e : end.extremities()) if (!before.contains(e.eventId())) added.add(e);
        extremities.replace(tx, end.roomId(), removed, added);
    }

    /**
     * Sends a draft into an existing room (404 {@code M_NOT_FOUND} for unknown rooms, 403 when the
     * rules forbid it). Sends that arrive while the room's lock is taken wait in the room's
     * queue, and whoever takes the lock next writes all of them ({@value #MAX_GROUP} at most) in
     * one transaction, each with its own outcome: one durable commit for a call's join storm
     * instead of one per member, while a lone send costs what it did.
     */
    public PersistedEvent send(EventDraft draft) {
        checkSizes(draft);
        QueuedSend mine = new QueuedSend(draft);
        java.util.concurrent.ConcurrentLinkedQueue<QueuedSend> queue =
                waiting.computeIfAbsent(draft.roomId(), k -> new java.util.concurrent.ConcurrentLinkedQueue<>());
        queue.add(mine);
        locks.withLock(draft.roomId(), () -> {
            // Written by an earlier holder, or by us; a queue emptied and dropped meanwhile is still ours to drain.
            while (!mine.done) writeGroup(draft.roomId(), queue);
            if (queue.isEmpty()) waiting.remove(draft.roomId(), queue);
            return null;
        });
        if (mine.error != null) throw mine.error;
        return mine.event;
    }

    /** A send waiting in its room's queue; its outcome is set by the lock holder that wrote it. */
    private static final class QueuedSend {
        final EventDraft draft;
        PersistedEvent event;
        RuntimeException error;
        boolean fresh;
        volatile boolean done;

        QueuedSend(EventDraft draft) {
            this.draft = draft;
        }
    }

    /**
     * Under the room's lock: takes up to {@value #MAX_GROUP} queued sends and writes them in one
     * transaction, in queue order. A repeated transaction ID answers the first event; a refusal
     * (404, 400, 403, 413) is that send's alone, as it happens before anything is written; a
     * database failure fails the whole group, which is rolled back.
     */
    private void writeGroup(String roomId, java.util.Queue<QueuedSend> queue) {
        List<QueuedSend> group = new ArrayList<>();
        for (QueuedSend next; group.size() < MAX_GROUP && (next = queue.poll()) != null; ) group.add(next);
        if (group.isEmpty()) return;
        PositionBlock[] block = {null};
        try {
            database.transaction(tx -> {
                Head head = head(tx, roomId).orElse(null);
                Head start = head;
                PositionBlock orderings = new PositionBlock(tx, group.size());
                block[0] = orderings;
                for (QueuedSend send : group) {
                    send.event = null;
                    send.error = null;
                    send.fresh = false;
                    try {
                        Optional<PersistedEvent> again = previousSendIn(tx, send.draft);
                        if (again.isPresent()) {
                            send.event = again.get();
                            continue;
                        }
                        if (head == null) throw MatrixException.notFound("Unknown room");
                        NewEventValidator.check(send.draft);
                        Appended appended = append(tx, head, send.draft, orderings);
                        head = appended.head();
                        send.event = appended.event();
                        send.fresh = true;
                    } catch (MatrixException e) {
                        send.error = e;
                    }
                }
                commitHead(tx, start, head);
                return null;
            });
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException("send failed: " + e, e);
            for (QueuedSend send : group) {
                send.event = null;
                send.fresh = false;
                send.error = failure;
            }
            block[0] = null;
        }
        try {
            List<PersistedEvent> written = new ArrayList<>();
            for (QueuedSend send : group) if (send.fresh) written.add(send.event);
            notifyListeners(written, block[0]);
        } finally {
            // Whatever happened, every send taken from the queue gets its answer: none may wait forever.
            for (QueuedSend send : group) send.done = true;
        }
    }

    /**
     * Sends a draft with {@code guard} run inside the same transaction: its claim first (under
     * the room lock), its record of the written event last. A repeated transaction ID returns
     * the first event without running the guard. Written alone: a guard's claim may write, and
     * a refusal after it must roll that back.
     */
    public PersistedEvent send(EventDraft draft, SendGuard guard) {
        if (guard == SendGuard.NONE) return send(draft);
        checkSizes(draft);
        return locks.withLock(draft.roomId(), () -> {
            boolean[] fresh = {false};
            PersistedEvent event = database.transaction(tx -> {
                Optional<PersistedEvent> again = previousSendIn(tx, draft);
                if (again.isPresent()) return again.get();
                Head head = head(tx, draft.roomId()).orElseThrow(() -> MatrixException.notFound("Unknown room"));
                NewEventValidator.check(draft);
                if (!guard.claim(tx)) throw new SendGuard.NotClaimed();
                Appended appended = append(tx, head, draft, () -> streams.next(tx, "events"));
                commitHead(tx, head, appended.head());
                PersistedEvent written = appended.event();
                guard.written(tx, written);
                fresh[0] = true;
                return written;
            });
            if (fresh[0]) notifyListeners(List.of(event));
            return event;
        });
    }

    /**
     * Sends several drafts into one room in one transaction, in order, each with its guard: one
     * durable commit for the lot (a mass expiry of delayed events in a call's room). A draft
     * refused by its guard's claim ({@link SendGuard.NotClaimed}), the size and content checks
     * or the authorization rules is reported in its outcome and the others still commit: every
     * refusal happens before {@link #append} writes anything, so no savepoint is needed. Any
     * other failure (the database) rolls the whole batch back and is thrown. Transaction IDs
     * are not consulted.
     */
    public List<org.callhs.core.spi.SendOutcome> sendAll(String roomId, List<EventDraft> drafts, List<SendGuard> guards) {
        if (drafts.size() != guards.size()) throw new IllegalArgumentException("one guard per draft");
        for (EventDraft draft : drafts) {
            if (!draft.roomId().equals(roomId)) throw new IllegalArgumentException("drafts for another room");
        }
        return locks.withLock(roomId, () -> {
            PositionBlock[] block = {null};
            List<org.callhs.core.spi.SendOutcome> outcomes = database.transaction(tx -> {
                List<org.callhs.core.spi.SendOutcome> out = new ArrayList<>(drafts.size());
                Head head = head(tx, roomId).orElse(null);
                Head start = head;
                PositionBlock orderings = new PositionBlock(tx, drafts.size());
                block[0] = orderings;
                for (int i = 0; i < drafts.size(); i++) {
                    EventDraft draft = drafts.get(i);
                    SendGuard guard = guards.get(i);
                    if (!guard.claim(tx)) {
                        out.add(new org.callhs.core.spi.SendOutcome(null, new SendGuard.NotClaimed()));
                        continue;
                    }
                    try {
                        if (head == null) throw MatrixException.notFound("Unknown room");
                        checkSizes(draft);
                        NewEventValidator.check(draft);
                        Appended appended = append(tx, head, draft, orderings);
                        guard.written(tx, appended.event());
                        head = appended.head();
                        out.add(new org.callhs.core.spi.SendOutcome(appended.event(), null));
                    } catch (MatrixException e) {
                        guard.refused(tx, e);
                        out.add(new org.callhs.core.spi.SendOutcome(null, e));
                    }
                }
                commitHead(tx, start, head);
                return out;
            });
            List<PersistedEvent> written = new ArrayList<>();
            for (org.callhs.core.spi.SendOutcome o : outcomes) if (o.sent()) written.add(o.event());
            notifyListeners(written, block[0]);
            return outcomes;
        });
    }

    /**
     * Builds, authorises and signs a draft against the room as it stands, without writing it:
     * an invite for a user of another server, which that server signs too before the event is
     * written (through {@link RemoteEventAppender}, as events that arrive from elsewhere are).
     */
    public EventBuilder.Signed prepare(EventDraft draft) {
        checkSizes(draft);
        return locks.withLock(draft.roomId(), () -> database.transaction(tx -> {
            Head head = head(tx, draft.roomId()).orElseThrow(() -> MatrixException.notFound("Unknown room"));
            NewEventValidator.check(draft);
            List<EventBuilder.Prev> prevs = new ArrayList<>();
            for (ExtremityRepository.Extremity e : head.extremities()) prevs.add(new EventBuilder.Prev(e.eventId(), e.depth()));
            ObjectNode pdu = builder.template(head.version(), head.roomId(), draft, prevs, head.state().state());
            org.callhs.core.room.auth.VersionShape.check(pdu, stateView(tx, head.state()), head.version());
            try {
                AuthRules.check(pdu, stateView(tx, head.state()), head.version());
            } catch (AuthFailure e) {
                throw MatrixException.forbidden(e.getMessage());
            }
            return builder.sign(pdu, head.version());
        }));
    }

    /**
     * Creates a room in one transaction: the create event, then the drafts {@code rest}
     * returns for the room ID (v10/v11: {@code proposedRoomId}; v12: derived from the create
     * event's hash). Nothing is persisted if any event is refused.
     */
    public List<PersistedEvent> createRoom(RoomVersion version, String proposedRoomId, EventDraft create,
                                           Function<String, List<EventDraft>> rest) {
        List<PersistedEvent> created = database.transaction(tx -> {
            List<PersistedEvent> out = new ArrayList<>();
            Appended first = append(tx, new Head(proposedRoomId, version, List.of(), null), create, () -> streams.next(tx, "events"));
            out.add(first.event());
            Head head = first.head();
            for (EventDraft draft : rest.apply(head.roomId())) {
                checkSizes(draft);
                Appended next = append(tx, head, draft, () -> streams.next(tx, "events"));
                out.add(next.event());
                head = next.head();
            }
            commitHead(tx, null, head);
            return out;
        });
        notifyListeners(created);
        return created;
    }

    private record Appended(PersistedEvent event, Head head) {}

    /**
     * Stream positions for a batch, taken from the events stream in one statement when the first is
     * needed. Positions of drafts that are refused are left unused: a gap in the stream, which
     * readers do not mind (positions only order events).
     */
    private final class PositionBlock implements java.util.function.LongSupplier {
        private final DSLContext tx;
        private final int size;
        private long next;
        private long last = -1;

        PositionBlock(DSLContext tx, int size) {
            this.tx = tx;
            this.size = size;
        }

        /** The first position of the block, once taken. */
        long first() { return last < 0 ? 0 : last - size + 1; }

        /** The last position of the block, or -1 when none was taken. */
        long last() { return last; }

        @Override
        public long getAsLong() {
            if (last < 0) {
                last = streams.advance(tx, "events", size);
                next = last - size + 1;
            }
            if (next > last) throw new IllegalStateException("more events than the block holds");
            return next++;
        }
    }

    /**
     * Builds, checks and writes one event. Every refusal (403, 400, 413) is thrown before the first write.
     * {@code orderings} gives its stream position. The room's head (state group, extremities) is left to
     * the caller's {@link #commitHead}, once per transaction.
     */
    private Appended append(DSLContext tx, Head head, EventDraft draft, java.util.function.LongSupplier orderings) {
        RoomVersion version = head.version();
        boolean isCreate = head.state() == null;
        List<EventBuilder.Prev> prevs = new ArrayList<>();
        for (ExtremityRepository.Extremity e : head.extremities()) prevs.add(new EventBuilder.Prev(e.eventId(), e.depth()));
        ObjectNode pdu = builder.template(version, head.roomId(), draft, prevs, isCreate ? null : head.state().state());
        org.callhs.core.room.auth.VersionShape.check(pdu, stateView(tx, head.state()), version);
        try {
            AuthRules.check(pdu, stateView(tx, head.state()), version);
        } catch (AuthFailure e) {
            throw MatrixException.forbidden(e.getMessage());
        }
        EventBuilder.Signed signed = builder.sign(pdu, version);
        String eventId = signed.eventId();
        String roomId = isCreate && version.roomIdIsCreateEventHash() ? "!" + eventId.substring(1) : head.roomId();
        List<String> prevIds = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode id : pdu.path("prev_events")) prevIds.add(id.textValue());

        long ordering = orderings.getAsLong();
        EventPersister.Written written = persister.write(tx, new EventPersister.Row(eventId, roomId, version, pdu, signed.canonical(),
                prevIds, head.state(), ordering, EventPersister.Kind.TIMELINE, null, draft.deviceId(), draft.txnId(), draft.internal()));
        long depth = pdu.path("depth").asLong();
        if (draft.isState()) {
            String membership = draft.type().equals("m.room.member") ? draft.content().path("membership").asText(null) : null;
            currentState.put(tx, roomId, draft.type(), draft.stateKey(), eventId, membership);
        }
        if (isCreate) rooms.insert(tx, roomId, version.id(), draft.sender(), false, clock.millis(), depth, written.stateAfter().id());
        if (draft.txnId() != null && draft.deviceId() != null) {
            transactions.insert(tx, draft.sender(), draft.deviceId(), transactionScope(draft), eventId);
        }
        // The new event replaces the extremities it names; any beyond those stay.
        List<ExtremityRepository.Extremity> nextExtremities = new ArrayList<>();
        nextExtremities.add(new ExtremityRepository.Extremity(eventId, depth));
        nextExtremities.addAll(head.extremities().subList(Math.min(prevIds.size(), head.extremities().size()), head.extremities().size()));
        return new Appended(written.event(), new Head(roomId, version, List.copyOf(nextExtremities), written.stateAfter()));
    }

    private StateView stateView(DSLContext tx, StateStore.Group state) {
        if (state == null) return key -> Optional.empty();
        return key -> {
            String id = state.state().get(key);
            return id == null ? Optional.empty() : eventStore.pdu(tx, id).map(n -> (JsonNode) n);
        };
    }

    private Optional<PersistedEvent> previousSendIn(DSLContext tx, EventDraft draft) {
        if (draft.txnId() == null || draft.deviceId() == null) return Optional.empty();
        return transactions.find(tx, draft.sender(), draft.deviceId(), transactionScope(draft)).flatMap(id -> eventStore.find(tx, id));
    }

    /**
     * What a transaction ID is unique within, besides the device: the endpoint it came on (spec
     * "Transaction identifiers": per device and per HTTP path), i.e. the room and the event type
     * of {@code PUT /rooms/{roomId}/send/{eventType}/{txnId}}. The same ID in another room or for
     * another type is another send. (U+001F cannot occur in room IDs and separates the parts.)
     */
    static String transactionScope(EventDraft draft) {
        return draft.roomId() + '\u001f' + draft.type() + '\u001f' + draft.txnId();
    }

    private static void checkSizes(EventDraft draft) {
        if (draft.type().getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new MatrixException(ErrCode.TOO_LARGE, 413, "Event type longer than " + MAX_ID_BYTES + " bytes");
        }
        if (draft.stateKey() != null && draft.stateKey().getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) {
            throw new MatrixException(ErrCode.TOO_LARGE, 413, "State key longer than " + MAX_ID_BYTES + " bytes");
        }
    }

    private void notifyListeners(List<PersistedEvent> persisted) {
        listeners.committed(persisted);
    }

    /** As {@link #notifyListeners(List)}; the positions of {@code block} no event took are unused. */
    private void notifyListeners(List<PersistedEvent> persisted, PositionBlock block) {
        if (block == null) listeners.committed(persisted); else listeners.committed(persisted, block.first(), block.last());
    }
}
