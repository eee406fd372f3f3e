package org.callhs.bench;

/**
 * Runs a {@link FanOutScenario}: the sender (user 0) sends on an open-loop timetable,
 * {@code rate} messages per second over the warm-up and the measured window, as
 * {@link OpenLoopDriver} does; every other user long-polls {@code /sync} from the start. When
 * its timetable is over the sender waits for the deliveries still outstanding and then stops
 * the pollers ({@link FanOutScenario#drainAndStop}).
 */
final class FanOutDriver extends LoadDriver {

    private final FanOutScenario scenario;
    private final OpenLoopDriver senderTimetable;

    FanOutDriver(FanOutScenario scenario, double rate) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException(scenario.name() + " needs --rate (messages per second from its one sender)");
        }
        this.scenario = scenario;
        this.senderTimetable = new OpenLoopDriver(rate, 1);
    }

    @Override
    protected void runUser(VirtualUser user, Scenario ignored, RunWindow window) {
        if (user.index() != FanOutScenario.SENDER) {
            scenario.poll(user, window);
            return;
        }
        try {
            senderTimetable.runUser(user, scenario, window);
        } finally {
            scenario.drainAndStop(user);
        }
    }
}
