package org.callhs.core.room;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands committed timeline events to a sink (the event listeners) one at a time, in the order
 * of their positions on the {@code events} stream, with no position skipped. Writers of
 * different rooms commit concurrently and call {@link #committed} in whatever order their
 * threads get there; an event waits here until every position before it was delivered or is
 * known to be unused. So an in-memory view fed by the listeners (the sync notifier's positions,
 * the recent-events window, the sticky index) never holds an event while missing an earlier
 * one, and a {@code /sync} token taken from it never moves past an event it did not serve.
 *
 * <p>A position can be unused (a refused draft in a group whose block of positions was taken
 * at once) or its writer can fail between its commit and its call here. Both are settled by
 * the database, through {@link Source}: positions are handed out in commit order, so
 * every position up to the stream's committed counter is either a committed event or never
 * will be one. {@link #catchUp} reads that range and delivers what it finds; it runs when a
 * gap outlives {@link #GAP_WAIT_MILLIS}. The same catch-up delivers events other processes
 * wrote to the same database.
 *
 * <p>Only one thread runs the sink at a time (whichever caller finds the next position ready);
 * a caller waits until its own events were delivered, so a send is answered after its
 * listeners ran, as before. A sink that writes an event itself is not made to wait for it
 * (it is the one delivering).
 */
public final class EventDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventDelivery.class);
    /** How long a gap in the stream may last before the database is asked about it. */
    static final long GAP_WAIT_MILLIS = 50;
    /** How long a writer waits for its events to be delivered before it answers anyway. */
    private static final long MAX_WAIT_MILLIS = 10_000;
    /** Most events one catch-up reads at once. */
    private static final int CATCH_UP_BATCH = 1_000;

    /** What the database says about the stream. */
    public interface Source {
        /** The stream's committed counter: every position up to it is settled. */
        long committedThrough();

        /** Timeline events with positions in {@code (after, upTo]}, oldest first, at most {@code limit}. */
        List<PersistedEvent> between(long after, long upTo, int limit);
    }

    private final Source source;
    private final Consumer<PersistedEvent> sink;
    private final ReentrantLock state = new ReentrantLock();
    private final Condition progressed = state.newCondition();
    private final ReentrantLock draining = new ReentrantLock();
    private final ReentrantLock catchingUp = new ReentrantLock();
    /** Positions up to this one were delivered or are unused. */
    private long delivered;
    private final TreeMap<Long, PersistedEvent> waiting = new TreeMap<>();
    private final TreeSet<Long> unused = new TreeSet<>();
    private final ScheduledExecutorService timer;
    private final AtomicBoolean checkScheduled = new AtomicBoolean();

    /** @param start the stream's position at start-up: everything up to it is history */
    public EventDelivery(Source source, Consumer<PersistedEvent> sink, long start) {
        this.source = source;
        this.sink = sink;
        this.delivered = start;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("event-delivery").factory());
    }

    /** The position up to which every event was delivered. */
    public long delivered() {
        state.lock();
        try {
            return delivered;
        } finally {
            state.unlock();
        }
    }

    /** Events a writer committed, whose positions are exactly theirs. */
    public void committed(List<PersistedEvent> events) {
        committed(events, 0, -1);
    }

    /**
     * Events a writer committed, and the block of positions {@code [first, last]} it took for
     * them (an empty block when {@code last < first}): positions of the block no event has are
     * unused. Returns when they were delivered (or at most {@link #MAX_WAIT_MILLIS} later).
     */
    public void committed(List<PersistedEvent> events, long first, long last) {
        long target = last;
        state.lock();
        try {
            TreeSet<Long> used = new TreeSet<>();
            for (PersistedEvent event : events) {
                long position = event.streamOrdering();
                used.add(position);
                target = Math.max(target, position);
                if (position > delivered) waiting.putIfAbsent(position, event);
            }
            for (long p = Math.max(first, delivered + 1); p <= last; p++) {
                if (!used.contains(p)) unused.add(p);
            }
        } finally {
            state.unlock();
        }
        if (target <= 0) return;
        drain();
        if (!draining.isHeldByCurrentThread()) awaitDelivered(target);
    }

    /**
     * Asks the database about every position after the delivered one up to its committed
     * counter, and delivers what it finds. Returns how many events it read.
     */
    public int catchUp() {
        if (!catchingUp.tryLock()) return 0;
        int read = 0;
        try {
            long through = source.committedThrough();
            while (true) {
                long from = delivered();
                if (from >= through) break;
                List<PersistedEvent> found = source.between(from, through, CATCH_UP_BATCH);
                long upTo = found.size() == CATCH_UP_BATCH ? found.get(found.size() - 1).streamOrdering() : through;
                read += found.size();
                state.lock();
                try {
                    TreeSet<Long> present = new TreeSet<>();
                    for (PersistedEvent event : found) {
                        present.add(event.streamOrdering());
                        if (event.streamOrdering() > delivered) waiting.putIfAbsent(event.streamOrdering(), event);
                    }
                    for (long p = Math.max(from, delivered) + 1; p <= upTo; p++) {
                        if (!present.contains(p) && !waiting.containsKey(p)) unused.add(p);
                    }
                } finally {
                    state.unlock();
                }
                drain();
                if (upTo >= through) break;
            }
        } catch (RuntimeException e) {
            log.warn("reading the events stream to close a gap failed; retrying shortly", e);
            scheduleCheck(GAP_WAIT_MILLIS * 4);
        } finally {
            catchingUp.unlock();
        }
        return read;
    }

    /** Delivers every ready event; one thread at a time, the others leave it to that one. */
    private void drain() {
        while (true) {
            if (!draining.tryLock()) return;
            try {
                List<PersistedEvent> batch;
                while (!(batch = takeReady()).isEmpty()) {
                    for (PersistedEvent event : batch) {
                        try {
                            sink.accept(event);
                        } catch (RuntimeException e) {
                            log.warn("event delivery failed on {}", event.eventId(), e);
                        }
                        state.lock();
                        try {
                            delivered = Math.max(delivered, event.streamOrdering());
                        } finally {
                            state.unlock();
                        }
                    }
                    // Waiting writers are woken once per run, not once per event (a storm of sends had
                    // every waiting writer woken and re-checking for every event delivered).
                    state.lock();
                    try {
                        progressed.signalAll();
                    } finally {
                        state.unlock();
                    }
                }
            } finally {
                draining.unlock();
            }
            // Something may have become ready between the last look and the unlock.
            state.lock();
            boolean more;
            try {
                more = ready();
                if (!more && !waiting.isEmpty()) scheduleCheck(GAP_WAIT_MILLIS);
            } finally {
                state.unlock();
            }
            if (!more) return;
        }
    }

    private boolean ready() {
        long next = delivered + 1;
        return waiting.containsKey(next) || unused.contains(next);
    }

    /** The contiguous run of events after the delivered position; unused positions in it are passed over. */
    private List<PersistedEvent> takeReady() {
        state.lock();
        try {
            List<PersistedEvent> batch = new ArrayList<>();
            long next = delivered + 1;
            while (true) {
                PersistedEvent event = waiting.remove(next);
                if (event != null) {
                    batch.add(event);
                } else if (batch.isEmpty() && unused.remove(next)) {
                    // Nothing to hand over: the position is passed at once. After a run, it waits for the run.
                    delivered = next;
                    progressed.signalAll();
                } else {
                    break;
                }
                next++;
            }
            unused.headSet(delivered, true).clear();
            return batch;
        } finally {
            state.unlock();
        }
    }

    private void awaitDelivered(long target) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS);
        while (true) {
            long seen;
            state.lock();
            try {
                seen = delivered;
                if (seen >= target) return;
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("events up to {} not delivered after {} ms (delivered through {})", target, MAX_WAIT_MILLIS, seen);
                    return;
                }
                try {
                    progressed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(GAP_WAIT_MILLIS)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (delivered >= target) return;
                if (delivered > seen) continue;
            } finally {
                state.unlock();
            }
            // No progress for a while: the database settles the gap.
            catchUp();
            drain();
        }
    }

    /** Runs a catch-up after {@code delayMillis} unless one is already due. */
    private void scheduleCheck(long delayMillis) {
        if (!checkScheduled.compareAndSet(false, true)) return;
        try {
            timer.schedule(() -> {
                checkScheduled.set(false);
                catchUp();
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            checkScheduled.set(false);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
