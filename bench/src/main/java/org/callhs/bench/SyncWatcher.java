package org.callhs.bench;

import java.util.function.BooleanSupplier;

/**
 * The {@code /sync} loop of a watching client in the delayed-event scenarios: from the
 * {@code since} of its initial sync it long-polls ({@code timeout} 30 s, the same filter as
 * {@link LongPoller}) again and again with the previous {@code next_batch}, handing every
 * response to its {@link Sightings} with the response's arrival time, until stopped. Responses
 * that arrive in the measured window count as series {@link LongPoller#POLL}; failed polls count
 * there as errors and are retried after a short pause.
 */
final class SyncWatcher {

    /** Receives each parsed response, stamped with its arrival. */
    @FunctionalInterface
    interface Sightings {
        void seen(SyncEvents response, long arrivedNanos);
    }

    private SyncWatcher() {
    }

    /** Polls from {@code since} until {@code stopped} says so (a stopped watcher's connection is aborted). */
    static void watchUntilStopped(VirtualUser user, String since, RunWindow window, Sightings sightings, BooleanSupplier stopped) {
        String token = user.session().accessToken();
        UserRecorder recorder = user.recorder();
        while (!stopped.getAsBoolean()) {
            long start = System.nanoTime();
            try {
                HttpResult result = user.client().sync(token, since, LongPoller.TIMEOUT_MS, LongPoller.FILTER);
                long arrived = System.nanoTime();
                SyncEvents response = SyncEvents.parse(result.body());
                since = response.nextBatch();
                if (window.isMeasured(arrived)) {
                    recorder.recordLatency(LongPoller.POLL, arrived - start);
                }
                sightings.seen(response, arrived);
            } catch (RequestFailure failure) {
                if (stopped.getAsBoolean()) {
                    return;
                }
                if (window.isMeasured(System.nanoTime())) {
                    recorder.recordError(LongPoller.POLL, failure.errorKey());
                }
                LoadDriver.parkUntil(System.nanoTime() + LoadDriver.TRANSPORT_ERROR_BACKOFF_NANOS);
            }
        }
    }
}
