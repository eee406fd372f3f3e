package org.callhs.bench;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@link WatchedScenario}: the watcher (user 0) polls {@code /sync} from the start, every
 * other user runs {@link WatchedScenario#act}; the last actor to finish settles the scenario,
 * then the watcher is stopped (its long-poll aborted).
 */
final class WatchedDriver extends LoadDriver {

    private final WatchedScenario scenario;
    private final AtomicInteger actorsRunning;
    private volatile boolean stopped;
    private volatile VirtualUser watcher;

    WatchedDriver(WatchedScenario scenario, int users) {
        this.scenario = scenario;
        this.actorsRunning = new AtomicInteger(users - 1);
    }

    @Override
    protected void runUser(VirtualUser user, Scenario ignored, RunWindow window) {
        if (user.index() == WatchedScenario.WATCHER) {
            watcher = user;
            scenario.watch(user, window, () -> stopped);
            return;
        }
        try {
            scenario.act(user, window);
        } finally {
            if (actorsRunning.decrementAndGet() == 0) {
                try {
                    scenario.settle(user, window);
                } finally {
                    stopWatcher();
                }
            }
        }
    }

    /** Both fields are volatile: either the watcher sees {@code stopped} before it polls, or this sees the watcher. */
    private void stopWatcher() {
        stopped = true;
        VirtualUser w = watcher;
        if (w != null) {
            w.connection().abort();
        }
    }
}
