package org.callhs.core.ephemeral;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ReceiptRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.schema.tables.records.ReceiptsRecord;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.UpdateNotifier;
import org.callhs.core.util.Json;

/**
 * Read receipts (Client-Server API "Receipts"): {@code m.read} is shared with the room,
 * {@code m.read.private} only with the reader. A receipt never moves backwards: one for an
 * event older than the current receipt of the same (type, thread) is accepted and ignored, as
 * Synapse does. Each stored receipt takes the next position on the {@code receipts} stream.
 */
public final class ReceiptService {
    public static final String READ = "m.read";
    public static final String READ_PRIVATE = "m.read.private";
    private final Database database;
    private final ReceiptRepository receipts;
    private final StreamPositionRepository streams;
    private final RoomReader reader;
    private final UpdateNotifier notifier;
    private final Clock clock;
    private final org.callhs.core.cluster.CacheInvalidations invalidations;
    /** The name of {@link #readUpTo}'s evictions between instances. */
    static final String CACHE = "receipts_read_up_to";
    /** Per (room, user): how far the user's receipts reach ({@link #readMarks}); dropped when they send one. */
    private final com.github.benmanes.caffeine.cache.Cache<String, ReadMarks> readUpTo = com.github.benmanes.caffeine.cache.Caffeine
            .newBuilder().maximumSize(100_000).build();

    public ReceiptService(Database database, ReceiptRepository receipts, StreamPositionRepository streams, RoomReader reader,
                          UpdateNotifier notifier, Clock clock, org.callhs.core.cluster.CacheInvalidations invalidations) {
        this.invalidations = invalidations;
        invalidations.register(CACHE, keys -> {
            if (keys.isEmpty()) readUpTo.invalidateAll(); else readUpTo.invalidateAll(keys);
        });
        this.database = database;
        this.receipts = receipts;
        this.streams = streams;
        this.reader = reader;
        this.notifier = notifier;
        this.clock = clock;
    }

    /**
     * Stores a receipt of a joined user for an event of the room. {@code threadId} is null
     * for an unthreaded receipt, else {@code main} or a thread root's event ID.
     */
    public void receipt(String roomId, String userId, String type, String eventId, String threadId) {
        if (!reader.access(roomId, userId).joined()) throw MatrixException.forbidden("You are not joined to this room");
        PersistedEvent event = reader.event(eventId).filter(e -> e.roomId().equals(roomId))
                .orElseThrow(() -> MatrixException.notFound("Unknown event " + eventId + " in this room"));
        if (threadId != null && !threadId.equals("main")) {
            PersistedEvent root = reader.event(threadId).filter(e -> e.roomId().equals(roomId))
                    .orElseThrow(() -> MatrixException.invalidParam("thread_id is not an event of this room"));
            if (root.eventId().equals(eventId) ? false : !inThread(event, root.eventId())) {
                throw MatrixException.invalidParam("The event is not in thread " + threadId);
            }
        }
        String thread = threadId == null ? "" : threadId;
        Long position = database.transaction(tx -> {
            Optional<ReceiptsRecord> current = receipts.find(tx, roomId, type, userId, thread);
            if (current.isPresent()) {
                if (current.get().getEventId().equals(eventId)) return null;
                long currentOrdering = reader.event(current.get().getEventId()).map(PersistedEvent::streamOrdering).orElse(0L);
                if (currentOrdering > event.streamOrdering()) return null;
            }
            long next = streams.next(tx, Streams.RECEIPTS);
            receipts.upsert(tx, roomId, type, userId, thread, eventId, clock.millis(), next);
            return next;
        });
        if (position == null) return;
        invalidations.invalidate(CACHE, List.of(roomId + "|" + userId));
        if (type.equals(READ_PRIVATE)) notifier.usersUpdated(Streams.RECEIPTS, position, List.of(userId));
        else notifier.roomUpdated(Streams.RECEIPTS, position, roomId);
    }

    private static boolean inThread(PersistedEvent event, String rootId) {
        var relates = event.pdu().path("content").path("m.relates_to");
        return relates.path("rel_type").asText().equals("m.thread") && relates.path("event_id").asText().equals(rootId);
    }

    private static ObjectNode child(ObjectNode parent, String name) {
        return parent.get(name) instanceof ObjectNode existing ? existing : parent.putObject(name);
    }

    /** Receipts in these rooms with a position in {@code (after, upTo]}. */
    public List<ReceiptsRecord> changed(Collection<String> roomIds, long after, long upTo) {
        if (roomIds.isEmpty()) return List.of();
        return receipts.changed(database.dsl(), roomIds, after, upTo);
    }

    /**
     * How far a user's read receipts in a room reach: the newest position of their unthreaded
     * receipts, and per thread ({@code main} or a thread root's ID) the newest of their threaded
     * ones (public or private alike).
     */
    public record ReadMarks(long unthreaded, Map<String, Long> threads) {
        public ReadMarks {
            threads = Map.copyOf(threads);
        }

        /** Where an event of {@code thread} counts as read up to. */
        public long readUpTo(String thread) {
            return Math.max(unthreaded, threads.getOrDefault(thread, 0L));
        }
    }

    /** The user's read marks in a room (cached; dropped here and on every instance when they send a receipt). */
    public ReadMarks readMarks(String roomId, String userId) {
        return readUpTo.get(roomId + "|" + userId, key -> {
            List<ReceiptsRecord> mine = receipts.ofUser(database.dsl(), roomId, userId);
            Map<String, Long> positions = new java.util.HashMap<>();
            reader.events(mine.stream().map(ReceiptsRecord::getEventId).distinct().toList())
                    .forEach(e -> positions.put(e.eventId(), e.streamOrdering()));
            long unthreaded = 0;
            Map<String, Long> threads = new java.util.HashMap<>();
            for (ReceiptsRecord r : mine) {
                long position = positions.getOrDefault(r.getEventId(), 0L);
                if (r.getThreadId().isEmpty()) unthreaded = Math.max(unthreaded, position);
                else threads.merge(r.getThreadId(), position, Math::max);
            }
            return new ReadMarks(unthreaded, threads);
        });
    }

    /**
     * The {@code m.receipt} ephemeral event for a room as {@code viewer} sees it: others'
     * private receipts left out. Null when nothing is left.
     */
    public ObjectNode receiptEvent(Collection<ReceiptsRecord> records, String viewer) {
        ObjectNode content = Json.object();
        for (ReceiptsRecord r : records) {
            if (r.getReceiptType().equals(READ_PRIVATE) && !r.getUserId().equals(viewer)) continue;
            ObjectNode entry = child(child(content, r.getEventId()), r.getReceiptType()).putObject(r.getUserId());
            entry.put("ts", r.getReceiptTs());
            if (!r.getThreadId().isEmpty()) entry.put("thread_id", r.getThreadId());
        }
        if (content.isEmpty()) return null;
        ObjectNode event = Json.object();
        event.put("type", "m.receipt");
        event.set("content", content);
        return event;
    }
}
