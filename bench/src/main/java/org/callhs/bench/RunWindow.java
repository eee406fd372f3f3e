package org.callhs.bench;

import java.time.Duration;

/**
 * The time line of a run, in {@link System#nanoTime()} units: warm-up from
 * {@code startNanos} to {@code measureStartNanos}, then the measured window up to
 * {@code endNanos}. An iteration counts when its (intended) start falls in the window.
 */
public record RunWindow(long startNanos, long measureStartNanos, long endNanos) {

    public static RunWindow startingNow(Duration warmup, Duration measured) {
        long start = System.nanoTime();
        long measureStart = start + warmup.toNanos();
        return new RunWindow(start, measureStart, measureStart + measured.toNanos());
    }

    public boolean isMeasured(long intendedStartNanos) {
        return intendedStartNanos >= measureStartNanos && intendedStartNanos < endNanos;
    }

    public double measuredSeconds() {
        return (endNanos - measureStartNanos) / 1e9;
    }
}
