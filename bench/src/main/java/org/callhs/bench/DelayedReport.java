package org.callhs.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-delayed-bench.sh} into markdown (see
 * {@link ScenarioReport}): the figures of the MSC4140 delayed-event scenarios
 * ({@code heartbeats}, {@code punctuality}, {@code mass-expiry}, {@code matrixrtc}) for each
 * server and the ratio of the first server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.DelayedReport RESULTS_DIR callhs-sqlite synapse callhs-pg}.
 */
public final class DelayedReport implements ScenarioReport.Contents {

    static final String HEARTBEATS = HeartbeatScenario.NAME;
    static final String PUNCTUALITY = PunctualityScenario.NAME;
    static final String MASS_EXPIRY = MassExpiryScenario.NAME;
    static final String MATRIXRTC = MatrixRtcScenario.NAME;
    private static final String LATENESS = DueEventLedger.LATENESS;
    private static final List<String> TAIL = List.of("p50", "p99", "max");

    public static void main(String[] args) throws IOException {
        ScenarioReport.main(args, "DelayedReport", new DelayedReport());
    }

    @Override
    public List<String> scenarios() {
        return List.of(HEARTBEATS, PUNCTUALITY, MASS_EXPIRY, MATRIXRTC);
    }

    @Override
    public String description(Map<String, String> params) {
        return String.format(Locale.ROOT, "%s: %s delayed events (delay 1 h) of %s accounts, %s connections restarting random ones "
                        + "in a closed loop, %s. "
                        + "%s: %s delayed messages/s with a %s delay, one client watching /sync, %s; lateness from "
                        + "(answer to the scheduling request + delay). "
                        + "%s: %s delayed messages from %s accounts all due at one instant T (mid-window), %s; lateness from T. "
                        + "%s: %s participants (%d devices per account, rooms of %d), each restarting its delayed leave "
                        + "(delay %s) every %d ms, %d %% of them killed per minute, %s; leave lateness from "
                        + "(answer to the last restart + delay).",
                HEARTBEATS, ScenarioReport.param(params, "heartbeat_events"), ScenarioReport.param(params, "heartbeat_accounts"), ScenarioReport.param(params, "heartbeat_workers"),
                ScenarioReport.window(params, "heartbeat"),
                PUNCTUALITY, ScenarioReport.param(params, "punctuality_rate"), ScenarioReport.param(params, "punctuality_delay"), ScenarioReport.window(params, "punctuality"),
                MASS_EXPIRY, ScenarioReport.param(params, "mass_expiry_events"), ScenarioReport.param(params, "mass_expiry_schedulers"), ScenarioReport.window(params, "mass_expiry"),
                MATRIXRTC, ScenarioReport.param(params, "rtc_participants"), MatrixRtcScenario.DEVICES_PER_ACCOUNT,
                MatrixRtcScenario.DEVICES_PER_ACCOUNT * MatrixRtcScenario.ACCOUNTS_PER_ROOM, ScenarioReport.param(params, "rtc_delay"),
                MatrixRtcScenario.HEARTBEAT_INTERVAL_MS, MatrixRtcScenario.KILLED_PERCENT_PER_MINUTE, ScenarioReport.window(params, "rtc"));
    }

    @Override
    public List<Row<ScenarioRuns>> rows() {
        List<Row<ScenarioRuns>> rows = new ArrayList<>();
        heartbeatRows(rows);
        punctualityRows(rows);
        massExpiryRows(rows);
        matrixRtcRows(rows);
        rows.add(ScenarioReport.peakRssRow());
        return rows;
    }

    private static void heartbeatRows(List<Row<ScenarioRuns>> rows) {
        String scenario = HEARTBEATS;
        String series = HeartbeatScenario.RESTART;
        rows.add(new Row<>(scenario + " throughput (restarts/s)", s -> s.series(scenario, series, "throughput"), "%.0f", true));
        latencyRows(rows, scenario, series, scenario + " restart", List.of("p50", "p90", "p99", "p99.9", "max"));
        rows.add(new Row<>(scenario + " errors (non-200)", s -> s.series(scenario, series, "errorCount"), "%.0f", false));
        rows.add(new Row<>(scenario + " server CPU per restart (µs)",
                s -> s.at(scenario, "server", "cpuMicrosPerIteration"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
        rows.add(new Row<>(scenario + " setup: schedules/s", s -> figure(s, scenario, "setupSchedulesPerSecond"), "%.0f", true));
    }

    private static void punctualityRows(List<Row<ScenarioRuns>> rows) {
        String scenario = PUNCTUALITY;
        rows.add(new Row<>(scenario + " fired events seen", s -> figure(s, scenario, "seen"), "%.0f", true));
        correctnessRows(rows, scenario);
        latencyRows(rows, scenario, LATENESS, scenario + " lateness, due to seen in /sync", TAIL);
        latencyRows(rows, scenario, DueEventLedger.ORIGIN_TS_VS_DUE, scenario + " origin_server_ts − due", TAIL);
        latencyRows(rows, scenario, DelayedMessageScenario.SCHEDULE, scenario + " schedule request",
                List.of("p50", "p99"));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void massExpiryRows(List<Row<ScenarioRuns>> rows) {
        String scenario = MASS_EXPIRY;
        rows.add(new Row<>(scenario + " events seen within 1 s of T", s -> figure(s, scenario, "seenWithinOneSecond"), "%.0f", true));
        correctnessRows(rows, scenario);
        latencyRows(rows, scenario, LATENESS, scenario + " T to seen in /sync", TAIL);
        latencyRows(rows, scenario, DueEventLedger.ORIGIN_TS_VS_DUE, scenario + " origin_server_ts − T",
                List.of("p50", "max"));
        rows.add(new Row<>(scenario + " scheduling burst (s)", s -> figure(s, scenario, "schedulingSeconds"), "%.2f", false));
        latencyRows(rows, scenario, DelayedMessageScenario.SCHEDULE, scenario + " schedule request",
                List.of("p50", "p99"));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void matrixRtcRows(List<Row<ScenarioRuns>> rows) {
        String scenario = MATRIXRTC;
        String restart = MatrixRtcScenario.RESTART;
        rows.add(new Row<>(scenario + " restarts/s held", s -> s.series(scenario, restart, "throughput"), "%.0f", true));
        latencyRows(rows, scenario, restart, scenario + " restart from its scheduled start", TAIL);
        rows.add(new Row<>(scenario + " restart errors", s -> s.series(scenario, restart, "errorCount"), "%.0f", false));
        rows.add(new Row<>(scenario + " killed participants", s -> figure(s, scenario, "kills"), "%.0f", true));
        latencyRows(rows, scenario, MatrixRtcScenario.LEAVE_LATENESS, scenario + " leave lateness", TAIL);
        correctnessRows(rows, scenario);
        rows.add(new Row<>(scenario + " leaves of live participants", s -> figure(s, scenario, "liveLeaves"), "%.0f", false));
        rows.add(new Row<>(scenario + " server CPU per restart (µs)",
                s -> s.at(scenario, "server", "cpuMicrosPerIteration"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    /**
     * The row "LABEL PERCENTILE (ms)" for each percentile of {@code series}, "n/a" when the series
     * has no sample (a run without kills has no leave lateness, not a lateness of 0).
     */
    private static void latencyRows(List<Row<ScenarioRuns>> rows, String scenario, String series, String label,
                                    List<String> percentiles) {
        for (String p : percentiles) {
            rows.add(new Row<>(label + " " + p + " (ms)", s -> {
                Double count = s.series(scenario, series, "count");
                return count == null || count == 0 ? null : s.series(scenario, series, "latencyMs", p);
            }, "%.2f", false));
        }
    }

    private static void correctnessRows(List<Row<ScenarioRuns>> rows, String scenario) {
        rows.add(new Row<>(scenario + " missing (must be 0)", s -> figure(s, scenario, "missing"), "%.0f", false));
        rows.add(new Row<>(scenario + " fired early (must be 0)", s -> figure(s, scenario, "early"), "%.0f", false));
    }

    private static Double figure(ScenarioRuns server, String scenario, String name) {
        return server.at(scenario, "figures", name);
    }
}
