package org.callhs.bench;

/**
 * Exact latency statistics over every recorded sample (no bucketing, so no
 * HdrHistogram-style rounding error at all: the samples are simply sorted).
 *
 * <p>Percentiles use the <em>nearest-rank</em> definition: the p-th percentile of n sorted
 * samples is the sample at rank {@code ceil(p / 100 * n)} (1-based), i.e. the smallest
 * recorded value such that at least p % of the samples are less than or equal to it.
 * It is always an actually observed latency.
 */
public final class LatencyStats {

    private final long[] sortedNanos;
    private final double meanNanos;

    private LatencyStats(long[] sortedNanos) {
        this.sortedNanos = sortedNanos;
        double sum = 0;
        for (long v : sortedNanos) {
            sum += v;
        }
        this.meanNanos = sortedNanos.length == 0 ? 0 : sum / sortedNanos.length;
    }

    /** Statistics over already sorted samples (the array is kept, not copied). */
    public static LatencyStats ofSorted(long[] sortedNanos) {
        for (int i = 1; i < sortedNanos.length; i++) {
            if (sortedNanos[i - 1] > sortedNanos[i]) {
                throw new IllegalArgumentException("samples are not sorted at index " + i);
            }
        }
        return new LatencyStats(sortedNanos);
    }

    public static LatencyStats of(SampleBuffer samples) {
        return new LatencyStats(samples.sortedCopy());
    }

    public long count() {
        return sortedNanos.length;
    }

    /**
     * The nearest-rank percentile, {@code 0 < percentile <= 100}; 0 returns the minimum.
     * Returns 0 when there are no samples.
     */
    public long percentileNanos(double percentile) {
        if (percentile < 0 || percentile > 100 || Double.isNaN(percentile)) {
            throw new IllegalArgumentException("percentile out of [0, 100]: " + percentile);
        }
        int n = sortedNanos.length;
        if (n == 0) {
            return 0;
        }
        // The small epsilon keeps e.g. 99.9 % of 1000 at rank 999 despite binary rounding
        // (99.9 / 100 * 1000 = 999.0000000000001).
        long rank = (long) Math.ceil(percentile / 100.0 * n - 1e-9);
        int index = (int) Math.min(n - 1, Math.max(0, rank - 1));
        return sortedNanos[index];
    }

    public long minNanos() {
        return sortedNanos.length == 0 ? 0 : sortedNanos[0];
    }

    public long maxNanos() {
        return sortedNanos.length == 0 ? 0 : sortedNanos[sortedNanos.length - 1];
    }

    public double meanNanos() {
        return meanNanos;
    }
}
