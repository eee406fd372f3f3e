package org.callhs.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-rooms-bench.sh} into markdown (see
 * {@link ScenarioReport}): the figures of the room scenarios ({@code send-one-room},
 * {@code send-100-rooms}, {@code create-room}) for each server and the ratio of the first
 * server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.RoomsReport RESULTS_DIR callhs synapse}.
 */
public final class RoomsReport implements ScenarioReport.Contents {

    /** One scenario of the report: its name, main series, and the unit of one iteration. */
    record ScenarioSpec(String scenario, String series, String unit, boolean cpuInMillis, String params) { }

    static final List<ScenarioSpec> SCENARIOS = List.of(
            new ScenarioSpec(SendOneRoomScenario.NAME, SendOneRoomScenario.SEND, "messages", false, "one_room"),
            new ScenarioSpec(SendManyRoomsScenario.NAME, SendOneRoomScenario.SEND, "messages", false, "many_rooms"),
            new ScenarioSpec(CreateRoomScenario.NAME, CreateRoomScenario.CREATE_ROOM, "rooms", true, "create_room"));

    public static void main(String[] args) throws IOException {
        ScenarioReport.main(args, "RoomsReport", new RoomsReport());
    }

    @Override
    public List<String> scenarios() {
        return SCENARIOS.stream().map(ScenarioSpec::scenario).toList();
    }

    @Override
    public String description(Map<String, String> params) {
        List<String> descriptions = new ArrayList<>();
        for (ScenarioSpec spec : SCENARIOS) {
            descriptions.add(String.format(Locale.ROOT, "%s: %s users, warm-up %s, measured %s", spec.scenario(),
                    params.getOrDefault(spec.params() + "_users", "?"), params.getOrDefault(spec.params() + "_warmup", "?"),
                    params.getOrDefault(spec.params() + "_duration", "?")));
        }
        return "Closed loops; " + String.join("; ", descriptions) + ".";
    }

    @Override
    public List<Row<ScenarioRuns>> rows() {
        List<Row<ScenarioRuns>> rows = new ArrayList<>();
        for (ScenarioSpec spec : SCENARIOS) {
            String scenario = spec.scenario();
            String series = spec.series();
            rows.add(new Row<>(scenario + " throughput (" + spec.unit() + "/s)",
                    s -> s.series(scenario, series, "throughput"), spec.cpuInMillis() ? "%.1f" : "%.0f", true));
            ScenarioReport.addLatencyRows(rows, scenario, series, scenario, List.of("p50", "p90", "p99", "p99.9", "max"));
            rows.add(new Row<>(scenario + " errors", s -> s.series(scenario, series, "errorCount"), "%.0f", false));
            if (spec.cpuInMillis()) {
                rows.add(new Row<>(scenario + " server CPU per room (ms)",
                        s -> FiguresTable.thousandth(s.at(scenario, "server", "cpuMicrosPerIteration")), "%.1f", false));
            } else {
                rows.add(new Row<>(scenario + " server CPU per message (µs)",
                        s -> s.at(scenario, "server", "cpuMicrosPerIteration"), "%.0f", false));
            }
            ScenarioReport.addMachineRows(rows, scenario);
        }
        rows.add(ScenarioReport.peakRssRow());
        return rows;
    }
}
