package org.callhs.bench;

/**
 * Closed loop: each user sends its next iteration as soon as the previous one is answered.
 * Throughput is what the server sustains with {@code users} requests in flight; latency is
 * measured from the moment each iteration actually starts.
 */
public final class ClosedLoopDriver extends LoadDriver {

    @Override
    protected void runUser(VirtualUser user, Scenario scenario, RunWindow window) {
        long now;
        while ((now = System.nanoTime()) < window.endNanos()) {
            RequestFailure failure = iterate(user, scenario, window, now);
            if (failure != null && failure.isTransport()) {
                parkUntil(System.nanoTime() + TRANSPORT_ERROR_BACKOFF_NANOS);
            }
        }
    }
}
