package org.callhs.bench;

import java.util.function.BooleanSupplier;

/**
 * The {@code /sync} loop of one fan-out poller, a virtual user that only receives: an initial
 * sync gives it a {@code since} token, then it long-polls ({@code timeout} 30 s) again and
 * again with the previous response's {@code next_batch}, handing every body of every response
 * to the {@link DeliveryTracker}, until it is stopped. Responses that arrive in the measured
 * window count as series {@link #POLL} (their throughput is the incremental sync rate); failed
 * polls count there as errors and are retried with the same token after a short pause.
 */
final class LongPoller {

    static final String POLL = "poll";
    static final long TIMEOUT_MS = 30_000;

    /**
     * Every poller's inline filter: a timeline of up to 100 events per room, so that a poller
     * that falls behind by more than the default ten still receives each message instead of a
     * {@code limited} gap (which would count as missing deliveries).
     */
    static final String FILTER = "{\"room\":{\"timeline\":{\"limit\":100}}}";

    private LongPoller() {
    }

    /** The {@code next_batch} of an initial sync ({@code timeout=0}): where the first long-poll starts. */
    static String initialToken(VirtualUser user) throws RequestFailure {
        return SyncBatch.parse(user.client().sync(user.session().accessToken(), null, 0, FILTER).body()).nextBatch();
    }

    /** Polls from {@code since} until {@code stopped} says so (a stopped poller's connection is aborted). */
    static void pollUntilStopped(VirtualUser user, String since, RunWindow window, DeliveryTracker tracker,
                                 BooleanSupplier stopped) {
        String token = user.session().accessToken();
        UserRecorder recorder = user.recorder();
        // A sticky event can come twice: in a timeline, then in a later sticky section; it is delivered once.
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (!stopped.getAsBoolean()) {
            long start = System.nanoTime();
            try {
                HttpResult result = user.client().sync(token, since, TIMEOUT_MS, FILTER);
                long arrived = System.nanoTime();
                SyncBatch batch = SyncBatch.parse(result.body());
                since = batch.nextBatch();
                if (window.isMeasured(arrived)) {
                    recorder.recordLatency(POLL, arrived - start);
                }
                for (String body : batch.bodies()) {
                    if (seen.add(body)) {
                        tracker.delivered(body, arrived, recorder);
                    }
                }
            } catch (RequestFailure failure) {
                if (stopped.getAsBoolean()) {
                    return;
                }
                if (window.isMeasured(System.nanoTime())) {
                    recorder.recordError(POLL, failure.errorKey());
                }
                LoadDriver.parkUntil(System.nanoTime() + LoadDriver.TRANSPORT_ERROR_BACKOFF_NANOS);
            }
        }
    }
}
