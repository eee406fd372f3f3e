package org.callhs.bench;

/**
 * Open loop: iterations are started on a fixed timetable, {@code rate} per second in total,
 * whatever the server's response times (as wrk2 does). Each of the {@code users}
 * connections gets an evenly staggered share of the timetable ({@code rate / users} per
 * second). When an answer is late, the user's next iterations are sent as soon as possible
 * but their latency is still measured from their <em>scheduled</em> time, so a stall is
 * charged to every request it delayed (no coordinated omission). The delay between the
 * scheduled and the actual start is recorded as the "schedule lag" health figure.
 */
public final class OpenLoopDriver extends LoadDriver {

    private final double ratePerSecond;
    private final int users;

    public OpenLoopDriver(double ratePerSecond, int users) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be > 0");
        }
        this.ratePerSecond = ratePerSecond;
        this.users = users;
    }

    /** The scheduled start of the {@code k}-th iteration of user {@code userIndex}. */
    long scheduledStart(RunWindow window, int userIndex, long k) {
        double perUserInterval = users * 1e9 / ratePerSecond;
        double offset = userIndex * perUserInterval / users;
        return window.startNanos() + Math.round(offset + k * perUserInterval);
    }

    @Override
    protected void runUser(VirtualUser user, Scenario scenario, RunWindow window) {
        for (long k = 0; ; k++) {
            long scheduled = scheduledStart(window, user.index(), k);
            if (scheduled >= window.endNanos()) {
                return;
            }
            parkUntil(scheduled);
            if (window.isMeasured(scheduled)) {
                user.recorder().recordScheduleLag(System.nanoTime() - scheduled);
            }
            iterate(user, scenario, window, scheduled);
        }
    }
}
