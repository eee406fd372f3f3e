package org.callhs.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-sticky-bench.sh} into markdown (see
 * {@link ScenarioReport}): MSC4354 sticky events ({@code sticky-fanout},
 * {@code sticky-initial-sync}) and the whole call on one server ({@code call-shape}), for each
 * server and the ratio of the first server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.StickyReport RESULTS_DIR callhs-sqlite synapse}.
 */
public final class StickyReport implements ScenarioReport.Contents {

    static final String FANOUT = RoomFanOutScenario.STICKY_FANOUT;
    static final String INITIAL = StickyInitialSyncScenario.NAME;
    static final String CALL = CallShapeScenario.NAME;
    private static final List<String> TAIL = List.of("p50", "p99", "max");

    public static void main(String[] args) throws IOException {
        ScenarioReport.main(args, "StickyReport", new StickyReport());
    }

    @Override
    public List<String> scenarios() {
        return List.of(FANOUT, INITIAL, CALL);
    }

    @Override
    public String description(Map<String, String> params) {
        return String.format(Locale.ROOT, "%s: %s members of one room long-polling, one sender of sticky call memberships at %s/s "
                        + "(open loop), %s. %s: a room holding %s sticky events, %s members each syncing from nothing until every "
                        + "sticky event arrived (closed loop), %s. %s: %s participants in one room, each a sticky membership, a delayed "
                        + "sticky leave (delay %s) restarted every %d ms and a long-poll /sync on its own connection, %s. "
                        + "Long-polls use timeout=30000.",
                FANOUT, ScenarioReport.param(params, "fanout_members"), ScenarioReport.param(params, "fanout_rate"), ScenarioReport.window(params, "fanout"),
                INITIAL, ScenarioReport.param(params, "initial_events"), ScenarioReport.param(params, "initial_clients"), ScenarioReport.window(params, "initial"),
                CALL, ScenarioReport.param(params, "call_participants"), ScenarioReport.param(params, "call_delay"), CallShapeScenario.HEARTBEAT_INTERVAL_MS,
                ScenarioReport.window(params, "call"));
    }

    @Override
    public List<Row<ScenarioRuns>> rows() {
        List<Row<ScenarioRuns>> rows = new ArrayList<>();
        fanOutRows(rows);
        initialSyncRows(rows);
        callRows(rows);
        rows.add(ScenarioReport.peakRssRow());
        return rows;
    }

    private static void fanOutRows(List<Row<ScenarioRuns>> rows) {
        String scenario = FANOUT;
        rows.add(new Row<>(scenario + " deliveries (membership × member)",
                s -> s.series(scenario, DeliveryTracker.DELIVERY, "count"), "%.0f", true));
        rows.add(new Row<>(scenario + " missing deliveries (must be 0)",
                s -> s.series(scenario, DeliveryTracker.DELIVERY, "errorCount"), "%.0f", false));
        ScenarioReport.addLatencyRows(rows, scenario, DeliveryTracker.DELIVERY, scenario + " send to member's sync", TAIL);
        ScenarioReport.addLatencyRows(rows, scenario, DeliveryTracker.ALL_DELIVERED, scenario + " send to all members' syncs", TAIL);
        ScenarioReport.addLatencyRows(rows, scenario, FanOutScenario.SEND, scenario + " send request from its scheduled start",
                List.of("p50", "p99"));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void initialSyncRows(List<Row<ScenarioRuns>> rows) {
        String scenario = INITIAL;
        rows.add(new Row<>(scenario + " chains/s", s -> s.series(scenario, StickyInitialSyncScenario.ALL_STICKY, "throughput"), "%.2f", true));
        ScenarioReport.addLatencyRows(rows, scenario, StickyInitialSyncScenario.INITIAL_SYNC, scenario + " first (initial) sync", TAIL);
        ScenarioReport.addLatencyRows(rows, scenario, StickyInitialSyncScenario.ALL_STICKY, scenario + " until every sticky event", TAIL);
        rows.add(new Row<>(scenario + " responses per chain", s -> s.at(scenario, "figures", "responsesPerChainMean"), "%.1f", false));
        rows.add(new Row<>(scenario + " fewest sticky events one chain delivered",
                s -> s.at(scenario, "figures", "fewestStickyDelivered"), "%.0f", true));
        rows.add(new Row<>(scenario + " errors", s -> s.series(scenario, StickyInitialSyncScenario.ALL_STICKY, "errorCount"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void callRows(List<Row<ScenarioRuns>> rows) {
        String scenario = CALL;
        rows.add(new Row<>(scenario + " restarts/s held", s -> s.series(scenario, CallShapeScenario.RESTART, "throughput"), "%.1f", true));
        ScenarioReport.addLatencyRows(rows, scenario, CallShapeScenario.RESTART, scenario + " restart", List.of("p50", "p90", "p99", "max"));
        ScenarioReport.addLatencyRows(rows, scenario, CallShapeScenario.JOIN, scenario + " join (membership + delayed leave)", TAIL);
        rows.add(new Row<>(scenario + " restart errors", s -> s.series(scenario, CallShapeScenario.RESTART, "errorCount"), "%.0f", false));
        rows.add(new Row<>(scenario + " memberships received / expected",
                s -> ratio(s.at(scenario, "figures", "membershipsReceived"), s.at(scenario, "figures", "membershipsExpected")), "%.3f", true));
        rows.add(new Row<>(scenario + " lost leaves (must be 0)", s -> s.at(scenario, "figures", "lostLeaves"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static Double ratio(Double a, Double b) {
        return a == null || b == null || b == 0 ? null : a / b;
    }
}
