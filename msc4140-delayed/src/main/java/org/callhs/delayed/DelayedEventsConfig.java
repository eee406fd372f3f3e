package org.callhs.delayed;

/**
 * The {@code delayed_events} configuration section.
 *
 * @param maxDelayMs            longest delay a client may ask for (ms); 0 turns scheduling off (403)
 * @param maxScheduledPerUser   how many events one user may have scheduled at once; 0 turns scheduling off
 * @param managementRateLimit   list, get, cancel, restart and send: per user, or per client address without a token
 * @param finalisedRetentionHours how long sent, cancelled and failed events stay readable
 * @param finalisedMaxPerUser   at most this many finalised events are kept per user (the oldest go first)
 * @param restartCommitters     threads that commit restarts; concurrent restarts share one statement each, and a
 *                              delay ID always goes to the same thread (1 by default: the largest batches)
 * @param firingConcurrency     rooms whose due events are sent in parallel when many fall due together
 * @param sweepIntervalMs       how often the sweeper looks for due events besides the precise next-due trigger
 */
public record DelayedEventsConfig(long maxDelayMs, int maxScheduledPerUser, RateLimit managementRateLimit,
                                  int finalisedRetentionHours, int finalisedMaxPerUser, int restartCommitters,
                                  int firingConcurrency, long sweepIntervalMs) {
    public record RateLimit(double perSecond, int burst) {}

    public static final String SECTION = "delayed_events";

    public static DelayedEventsConfig defaults() {
        return new DelayedEventsConfig(24L * 60 * 60 * 1000, 100, new RateLimit(1, 20), 7 * 24, 1000, 1, 16, 5_000);
    }

    /** Whether clients may schedule at all (both limits above zero). */
    public boolean enabled() { return maxDelayMs > 0 && maxScheduledPerUser > 0; }

    /** Start-up check: every value in range, or an exception naming the key. */
    public void validate() {
        require(maxDelayMs >= 0, "max_delay_ms must be 0 or more");
        require(maxScheduledPerUser >= 0, "max_scheduled_per_user must be 0 or more");
        require(managementRateLimit != null && managementRateLimit.perSecond() >= 0 && managementRateLimit.burst() >= 0,
                "management_rate_limit needs per_second and burst of 0 or more");
        require(finalisedRetentionHours >= 0, "finalised_retention_hours must be 0 or more");
        require(finalisedMaxPerUser >= 0, "finalised_max_per_user must be 0 or more");
        require(restartCommitters >= 1 && restartCommitters <= 64, "restart_committers must be between 1 and 64");
        require(firingConcurrency >= 1 && firingConcurrency <= 1024, "firing_concurrency must be between 1 and 1024");
        require(sweepIntervalMs >= 100, "sweep_interval_ms must be at least 100");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(SECTION + "." + message);
    }
}
