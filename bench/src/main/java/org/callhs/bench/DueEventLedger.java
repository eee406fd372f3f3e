package org.callhs.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * The delayed events of a run that the watcher should see fire, by a key unique to the run (the
 * event's body). Actors register each event just before sending its scheduling request, so that
 * even a firing that comes before the answer is matched; the watcher reports sightings; once the
 * run is over {@link #settle} turns them into series. Thread-safe. It holds one small entry per
 * event scheduled in the run (a rate times a duration, or a fixed count).
 */
final class DueEventLedger {

    static final String LATENESS = "lateness";
    static final String ORIGIN_TS_VS_DUE = "origin-ts-vs-due";
    static final String MISSING = "missing";
    static final String EARLY = "early";
    private static final long WAIT_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

    /** What {@link #settle} counted, over the measured events whose scheduling succeeded. */
    record Outcome(long expected, long seen, long missing, long early, long withinOneSecond) { }

    private final ConcurrentHashMap<String, DueEvent> events = new ConcurrentHashMap<>();
    private final AtomicLong outstanding = new AtomicLong();

    /** Registers an event about to be scheduled; {@code key} must be unique in the run. */
    DueEvent scheduling(String key, long sentNanos, long delayMillis, boolean measured) {
        DueEvent event = new DueEvent(sentNanos, delayMillis, measured);
        if (events.putIfAbsent(key, event) != null) {
            throw new IllegalArgumentException("scheduled twice: " + key);
        }
        if (measured) {
            outstanding.incrementAndGet();
        }
        return event;
    }

    /** Its scheduling request failed: it is no longer expected. */
    void failed(DueEvent event) {
        if (event.failed() && event.measured) {
            outstanding.decrementAndGet();
        }
    }

    /** The watcher's response that arrived at {@code arrivedNanos} carried the event {@code key}; unknown keys are ignored. */
    void seen(String key, long arrivedNanos, long originServerTs) {
        DueEvent event = events.get(key);
        if (event != null && event.seen(arrivedNanos, originServerTs) && event.measured) {
            outstanding.decrementAndGet();
        }
    }

    /** Measured events neither seen nor failed (yet). */
    long outstanding() {
        return outstanding.get();
    }

    /** Waits until every measured event has been seen, or {@code deadlineNanos}. */
    void awaitSeen(long deadlineNanos) {
        while (outstanding.get() > 0 && System.nanoTime() < deadlineNanos) {
            LoadDriver.parkUntil(Math.min(deadlineNanos, System.nanoTime() + WAIT_STEP_NANOS));
        }
    }

    /**
     * Records, for every measured event whose scheduling succeeded: {@link #LATENESS}, the
     * sighting minus {@code dueNanos} of the event; {@link #ORIGIN_TS_VS_DUE}, its
     * {@code origin_server_ts} minus the same due instant in wall-clock time; errors
     * {@link #MISSING} (never seen) and {@link #EARLY} (seen before {@link DueEvent#earliestDueNanos()}).
     */
    Outcome settle(UserRecorder recorder, ToLongFunction<DueEvent> dueNanos) {
        long expected = 0;
        long seen = 0;
        long early = 0;
        long withinOneSecond = 0;
        for (DueEvent event : events.values()) {
            if (!event.measured || event.isFailed()) {
                continue;
            }
            expected++;
            if (!event.isSeen()) {
                continue;
            }
            seen++;
            long due = dueNanos.applyAsLong(event);
            long lateness = event.seenNanos() - due;
            recorder.recordLatency(LATENESS, lateness);
            if (lateness <= ONE_SECOND) {
                withinOneSecond++;
            }
            if (event.originServerTs() >= 0) {
                recorder.recordLatency(ORIGIN_TS_VS_DUE, event.originServerTs() * 1_000_000L - WallClock.epochNanos(due));
            }
            if (event.seenNanos() < event.earliestDueNanos()) {
                early++;
            }
        }
        long missing = expected - seen;
        if (missing > 0) {
            recorder.recordErrors(LATENESS, MISSING, missing);
        }
        if (early > 0) {
            recorder.recordErrors(LATENESS, EARLY, early);
        }
        return new Outcome(expected, seen, missing, early, withinOneSecond);
    }
}
