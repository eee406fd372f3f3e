package org.callhs.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Runs the virtual users of a scenario over a {@link RunWindow}, one thread per user. */
public abstract class LoadDriver {

    /** How long a closed-loop user pauses after a transport error (server down, reset...). */
    static final long TRANSPORT_ERROR_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /** Runs every user until the window ends and waits for their last requests. */
    public final void run(List<VirtualUser> users, Scenario scenario, RunWindow window, ThreadKind threadKind)
            throws InterruptedException {
        List<Thread> threads = new ArrayList<>(users.size());
        List<Throwable> crashes = new ArrayList<>();
        for (VirtualUser user : users) {
            threads.add(threadKind.builder("user-" + user.index()).start(() -> {
                try {
                    runUser(user, scenario, window);
                } catch (Throwable t) {
                    synchronized (crashes) {
                        crashes.add(t);
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!crashes.isEmpty()) {
            IllegalStateException failure = new IllegalStateException("a virtual user crashed", crashes.getFirst());
            crashes.stream().skip(1).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** The loop of one user. */
    protected abstract void runUser(VirtualUser user, Scenario scenario, RunWindow window);

    /** Runs one iteration starting (in intention) at {@code intendedStart}; returns its failure or null. */
    protected static RequestFailure iterate(VirtualUser user, Scenario scenario, RunWindow window, long intendedStart) {
        Iteration iteration = new Iteration(window.isMeasured(intendedStart) ? user.recorder() : null, intendedStart);
        try {
            scenario.iterate(user, iteration);
            return null;
        } catch (RequestFailure failure) {
            return failure; // already recorded by the iteration
        }
    }

    static void parkUntil(long deadlineNanos) {
        long wait;
        while ((wait = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
