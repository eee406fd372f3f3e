package org.callhs.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A delayed-event scenario run by {@link WatchedDriver}: user {@value #WATCHER} is a client that
 * watches the rooms through {@code /sync} and sees the delayed events fire; every other user is
 * an actor that schedules, restarts or abandons delayed events on its own timetable. When the
 * last actor is done, the scenario {@linkplain #settle settles}: it waits (boundedly) for what is
 * still due, then records what fired when, what is missing and what fired too early.
 */
interface WatchedScenario extends Scenario {

    int WATCHER = 0;

    /** How long after its due time a delayed event may still be waited for before it counts as missing. */
    Duration DRAIN = Duration.ofSeconds(10);

    /** One actor's part of the run; returns when its timetable is over. */
    void act(VirtualUser actor, RunWindow window);

    /** The watcher's {@code /sync} loop; returns once {@code stopped}. */
    void watch(VirtualUser watcher, RunWindow window, BooleanSupplier stopped);

    /** Runs once, on the thread of the last actor to finish, before the watcher is stopped. */
    void settle(VirtualUser actor, RunWindow window);

    @Override
    default Duration longestRequest() {
        return Duration.ofMillis(LongPoller.TIMEOUT_MS);
    }

    /** Not used: {@link WatchedDriver} calls {@link #act} instead; open-loop actors override it. */
    @Override
    default void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        throw new UnsupportedOperationException(name() + " is run by its actors' timetables");
    }

    @Override
    default LoadDriver driver(double rate, int users) {
        if (users < 2) {
            throw new IllegalArgumentException(name() + " needs --users >= 2: user 0 watches, the others act");
        }
        return new WatchedDriver(this, users);
    }
}
