package org.callhs.bench;

/**
 * Times the requests of one scenario iteration and records them, but only if the
 * iteration belongs to the measured window ({@code recorder} is null during warm-up).
 *
 * <p>The first request of an iteration is timed from the iteration's <em>intended</em>
 * start: in an open-loop run that is its slot in the timetable, so a request that had to
 * wait because the server was slow is charged for the wait (no coordinated omission).
 * Later requests of the same iteration are timed from when they were actually sent.
 * {@link #complete(String)} records the whole iteration, also from the intended start.
 */
public final class Iteration {

    /** One timed request. */
    @FunctionalInterface
    public interface Request<T> {
        T send() throws RequestFailure;
    }

    private final UserRecorder recorder;
    private final long intendedStartNanos;
    private boolean firstRequest = true;

    public Iteration(UserRecorder recorder, long intendedStartNanos) {
        this.recorder = recorder;
        this.intendedStartNanos = intendedStartNanos;
    }

    /** Whether this iteration belongs to the measured window (its requests are recorded). */
    public boolean measured() {
        return recorder != null;
    }

    /** Sends {@code request}, recording its latency (or its error) as series {@code series}. */
    public <T> T time(String series, Request<T> request) throws RequestFailure {
        long start = firstRequest ? intendedStartNanos : System.nanoTime();
        firstRequest = false;
        T result;
        try {
            result = request.send();
        } catch (RequestFailure failure) {
            if (recorder != null) {
                recorder.recordError(series, failure.errorKey());
            }
            throw failure;
        }
        if (recorder != null) {
            recorder.recordLatency(series, System.nanoTime() - start);
        }
        return result;
    }

    /** Records the latency of the whole iteration, from its intended start, as {@code series}. */
    public void complete(String series) {
        if (recorder != null) {
            recorder.recordLatency(series, System.nanoTime() - intendedStartNanos);
        }
    }
}
