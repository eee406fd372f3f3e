package org.callhs.sticky;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.EventListener;
import org.callhs.core.spi.SoftFailedEvents;
import org.callhs.core.spi.SoftFailedHook;
import org.callhs.core.storage.Database;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MSC4354 "Soft-failure checks MUST be re-evaluated when the membership state changes for a user
 * with unexpired sticky events". A sticky event from another server that fails only the check
 * against the room's current state (its sender was kicked, say, while a concurrent change on
 * another server would have kept them in) is kept: noted here while it is sticky, and each time a
 * state event commits in its room it is checked again against the new current state
 * ({@link SoftFailedEvents#readmit}, on a background thread, one pass per room at a time). One that
 * passes joins the timeline with a new stream position and so reaches clients, in {@code /sync}'s
 * sticky section too, with the time it has left; the note goes. Any state change triggers the
 * check, not only membership, power levels and join rules: state resolution can change a
 * membership without a member event of its own, and such rooms are rare, so the check is cheap.
 *
 * <p>Only events without a state key are kept: readmitting a state event would need state
 * resolution to place it, and a sticky state event that failed stays failed.
 */
final class SoftFailedStickies implements SoftFailedHook, EventListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SoftFailedStickies.class);

    private final Database database;
    private final SoftFailedStickyRepository repository;
    private final Supplier<SoftFailedEvents> readmission;
    private final Clock clock;
    /** The soft-failed sticky events waiting, per room: event ID to expiry. */
    private final Map<String, Map<String, Long>> waiting = new ConcurrentHashMap<>();
    /** Rooms with a re-check queued and not yet started. */
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("sticky-soft-failed").factory());

    SoftFailedStickies(Database database, SoftFailedStickyRepository repository, Supplier<SoftFailedEvents> readmission, Clock clock) {
        this.database = database;
        this.repository = repository;
        this.readmission = readmission;
        this.clock = clock;
    }

    /** Stops waiting for a purged room's events. */
    void forgetRoom(String roomId) {
        waiting.remove(roomId);
    }

    /** Start-up: the waiting events are loaded from the table. */
    void resume() {
        for (SoftFailedStickyRepository.Row row : repository.unexpired(database.dsl(), clock.millis())) {
            waiting.computeIfAbsent(row.roomId(), r -> new ConcurrentHashMap<>()).put(row.eventId(), row.expiresAt());
        }
    }

    @Override
    public void softFailed(DSLContext tx, String roomId, String eventId, ObjectNode pdu) {
        if (pdu.has("state_key")) return;
        long now = clock.millis();
        OptionalLong expiry = StickyDuration.expiry(pdu, now);
        if (expiry.isEmpty() || expiry.getAsLong() <= now) return;
        repository.insert(tx, new SoftFailedStickyRepository.Row(eventId, roomId, pdu.path("sender").asText(), expiry.getAsLong()));
        // Put inside compute: a concurrent recheck may drop the room's map once it is empty.
        waiting.compute(roomId, (r, room) -> {
            Map<String, Long> target = room == null ? new ConcurrentHashMap<>() : room;
            target.put(eventId, expiry.getAsLong());
            return target;
        });
    }

    @Override
    public void onEvent(PersistedEvent event) {
        if (event.isState() && waiting.containsKey(event.roomId()) && queued.add(event.roomId())) {
            worker.execute(() -> recheck(event.roomId()));
        }
    }

    /** Checks a room's waiting events against its current state; the expired and the readmitted stop waiting. */
    void recheck(String roomId) {
        queued.remove(roomId);
        Map<String, Long> room = waiting.get(roomId);
        if (room == null) return;
        try {
            long now = clock.millis();
            List<String> done = new ArrayList<>();
            List<String> live = new ArrayList<>();
            room.forEach((eventId, expiresAt) -> (expiresAt > now ? live : done).add(eventId));
            if (!live.isEmpty()) {
                List<String> readmitted = readmission.get().readmit(roomId, live);
                if (!readmitted.isEmpty()) log.info("readmitted {} soft-failed sticky event(s) in {}", readmitted.size(), roomId);
                done.addAll(readmitted);
            }
            if (done.isEmpty()) return;
            database.transaction(tx -> repository.delete(tx, done));
            done.forEach(room::remove);
            waiting.computeIfPresent(roomId, (r, m) -> m.isEmpty() ? null : m);
        } catch (RuntimeException e) {
            log.warn("re-checking soft-failed sticky events in {} failed; the next state change retries", roomId, e);
        }
    }

    /** Forgets expired waiting events (table and memory); returns how many rows went. */
    int removeExpired(DSLContext tx, long now) {
        int deleted = repository.deleteExpired(tx, now);
        forgetExpired(now);
        return deleted;
    }

    /** Forgets expired waiting events in memory only (the rows go with the cluster-wide clean-up). */
    void forgetExpired(long now) {
        for (Map<String, Long> room : waiting.values()) room.values().removeIf(expiresAt -> expiresAt <= now);
        waiting.values().removeIf(Map::isEmpty);
    }

    /** How many events wait, for tests. */
    int waitingCount() {
        return waiting.values().stream().mapToInt(Map::size).sum();
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
