package org.callhs.bench;

import java.time.Instant;

/**
 * Converts {@link System#nanoTime()} instants to wall-clock time, to compare them with the
 * {@code origin_server_ts} (milliseconds since the epoch) of events the server stamped. The
 * offset is read once, so the conversion is monotonic; over a run of minutes the drift between
 * the two clocks is far below the millisecond resolution of {@code origin_server_ts}.
 */
final class WallClock {

    private static final long EPOCH_NANOS_AT_ORIGIN;
    private static final long NANO_TIME_AT_ORIGIN;

    static {
        Instant now = Instant.now();
        NANO_TIME_AT_ORIGIN = System.nanoTime();
        EPOCH_NANOS_AT_ORIGIN = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private WallClock() {
    }

    /** Nanoseconds since the epoch at the {@code System.nanoTime()} instant {@code nanoTime}. */
    static long epochNanos(long nanoTime) {
        return EPOCH_NANOS_AT_ORIGIN + (nanoTime - NANO_TIME_AT_ORIGIN);
    }
}
