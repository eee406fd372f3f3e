package org.callhs.bench;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One scheduled delayed event that the watcher should see fire, with what judges its firing:
 * when its scheduling request was sent and answered, its delay, and when (and with which
 * {@code origin_server_ts}) the watcher first saw it. The server started the delay at some
 * instant between the request's send and its answer, so the event is due no earlier than
 * {@link #earliestDueNanos()} and no later than {@link #latestDueNanos()}; a sighting before the
 * earliest is a firing that came too early, whatever the server.
 */
final class DueEvent {

    static final long UNSET = Long.MIN_VALUE;
    private static final int OPEN = 0;
    private static final int SEEN = 1;
    private static final int FAILED = 2;

    final long sentNanos;
    final long delayMillis;
    final boolean measured;
    private volatile long acknowledgedNanos = UNSET;
    private volatile long seenNanos = UNSET;
    private volatile long originServerTs = -1;
    private final AtomicInteger resolution = new AtomicInteger(OPEN);

    DueEvent(long sentNanos, long delayMillis, boolean measured) {
        this.sentNanos = sentNanos;
        this.delayMillis = delayMillis;
        this.measured = measured;
    }

    long earliestDueNanos() {
        return sentNanos + delayMillis * 1_000_000L;
    }

    /** Only once acknowledged. */
    long latestDueNanos() {
        return acknowledgedNanos + delayMillis * 1_000_000L;
    }

    void acknowledged(long nanos) {
        acknowledgedNanos = nanos;
    }

    boolean isAcknowledged() {
        return acknowledgedNanos != UNSET;
    }

    /** Records the first sighting; true when it resolves an event whose scheduling had not failed. */
    boolean seen(long arrivedNanos, long serverTs) {
        if (seenNanos != UNSET) {
            return false;
        }
        seenNanos = arrivedNanos;
        originServerTs = serverTs;
        return resolution.compareAndSet(OPEN, SEEN);
    }

    /** The scheduling request failed: nothing is expected; true when it resolves the event. */
    boolean failed() {
        return resolution.compareAndSet(OPEN, FAILED);
    }

    boolean isSeen() {
        return resolution.get() == SEEN;
    }

    boolean isFailed() {
        return resolution.get() == FAILED;
    }

    long seenNanos() {
        return seenNanos;
    }

    /** -1 when the event carried none. */
    long originServerTs() {
        return originServerTs;
    }
}
