package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-rooms-bench.sh} into markdown: the machine, then
 * one table with the figures of the room scenarios ({@code send-one-room}, {@code send-100-rooms},
 * {@code create-room}) for each server and the ratio of the first server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.RoomsReport RESULTS_DIR callhs synapse}.
 * RESULTS_DIR holds {@code machine.env}, {@code params.env}, and per server label
 * {@code <label>.env} (status, memory) and {@code <label>-<scenario>.json} (one JSON line from
 * {@link LoadGenerator}). Missing files give "n/a" cells.
 */
public final class RoomsReport {

    /** One scenario of the report: its name, main series, and the unit of one iteration. */
    record ScenarioSpec(String scenario, String series, String unit, boolean cpuInMillis, String params) { }

    static final List<ScenarioSpec> SCENARIOS = List.of(
            new ScenarioSpec(SendOneRoomScenario.NAME, SendOneRoomScenario.SEND, "messages", false, "one_room"),
            new ScenarioSpec(SendManyRoomsScenario.NAME, SendOneRoomScenario.SEND, "messages", false, "many_rooms"),
            new ScenarioSpec(CreateRoomScenario.NAME, CreateRoomScenario.CREATE_ROOM, "rooms", true, "create_room"));

    /** The figures of one server. */
    record ServerRuns(String label, Map<String, String> env, Map<String, JsonNode> runs) implements FiguresTable.Server {

        static ServerRuns load(Path dir, String label) throws IOException {
            Map<String, JsonNode> runs = new LinkedHashMap<>();
            for (ScenarioSpec spec : SCENARIOS) {
                JsonNode run = FoundationReport.readJson(dir.resolve(label + "-" + spec.scenario() + ".json"));
                if (run != null) {
                    runs.put(spec.scenario(), run);
                }
            }
            return new ServerRuns(label, FoundationReport.readEnv(dir.resolve(label + ".env")), runs);
        }

        JsonNode run(String scenario) {
            return runs.get(scenario);
        }

        Double env(String key) {
            String value = env.get(key);
            try {
                return value == null || value.isBlank() ? null : Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: RoomsReport RESULTS_DIR LABEL...   (the ratio is LABEL1 / LABEL2)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<ServerRuns> servers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            servers.add(ServerRuns.load(dir, args[i]));
        }
        print(System.out, FoundationReport.readEnv(dir.resolve("machine.env")),
                FoundationReport.readEnv(dir.resolve("params.env")), servers);
    }

    static void print(PrintStream out, Map<String, String> machine, Map<String, String> params, List<ServerRuns> servers) {
        out.println("### Machine");
        out.println();
        out.println("| | |");
        out.println("|---|---|");
        machine.forEach((key, value) -> out.println("| " + key + " | " + value.replace("|", "\\|") + " |"));
        out.println();
        out.println("### Figures");
        out.println();
        List<String> descriptions = new ArrayList<>();
        for (ScenarioSpec spec : SCENARIOS) {
            descriptions.add(String.format(Locale.ROOT, "%s: %s users, warm-up %s, measured %s", spec.scenario(),
                    params.getOrDefault(spec.params() + "_users", "?"), params.getOrDefault(spec.params() + "_warmup", "?"),
                    params.getOrDefault(spec.params() + "_duration", "?")));
        }
        out.println("Closed loops; " + String.join("; ", descriptions)
                + ". Generator and server share the machine; ↑ higher is better, ↓ lower is better.");
        out.println();
        FiguresTable.print(out, servers, rows());
        out.println();
        for (ServerRuns server : servers) {
            FiguresTable.printStatus(out, server);
            for (ScenarioSpec spec : SCENARIOS) {
                JsonNode run = server.run(spec.scenario());
                if (run == null) {
                    continue;
                }
                Map<String, Long> errors = new LinkedHashMap<>();
                for (JsonNode series : run.path("series")) {
                    series.path("errors").properties().forEach(e -> errors.merge(e.getKey(), e.getValue().asLong(), Long::sum));
                }
                if (!errors.isEmpty()) {
                    out.println("- " + server.label() + " " + spec.scenario() + " errors: " + errors);
                }
            }
        }
    }

    static List<Row<ServerRuns>> rows() {
        List<Row<ServerRuns>> rows = new ArrayList<>();
        for (ScenarioSpec spec : SCENARIOS) {
            String scenario = spec.scenario();
            String series = spec.series();
            rows.add(new Row<>(scenario + " throughput (" + spec.unit() + "/s)",
                    s -> FoundationReport.ServerFigures.series(s.run(scenario), series, "throughput"),
                    spec.cpuInMillis() ? "%.1f" : "%.0f", true));
            for (String p : List.of("p50", "p90", "p99", "p99.9", "max")) {
                rows.add(new Row<>(scenario + " " + p + " (ms)",
                        s -> FoundationReport.ServerFigures.series(s.run(scenario), series, "latencyMs", p), "%.2f", false));
            }
            rows.add(new Row<>(scenario + " errors",
                    s -> FoundationReport.ServerFigures.series(s.run(scenario), series, "errorCount"), "%.0f", false));
            if (spec.cpuInMillis()) {
                rows.add(new Row<>(scenario + " server CPU per room (ms)",
                        s -> thousandth(FoundationReport.ServerFigures.at(s.run(scenario), "server", "cpuMicrosPerIteration")), "%.1f", false));
            } else {
                rows.add(new Row<>(scenario + " server CPU per message (µs)",
                        s -> FoundationReport.ServerFigures.at(s.run(scenario), "server", "cpuMicrosPerIteration"), "%.0f", false));
            }
            rows.add(new Row<>(scenario + " server CPU used (cores)",
                    s -> FoundationReport.ServerFigures.at(s.run(scenario), "server", "cpuCores"), "%.2f", false));
            rows.add(new Row<>(scenario + " generator CPU (cores)",
                    s -> FoundationReport.ServerFigures.at(s.run(scenario), "generator", "cpuCores"), "%.2f", false));
            rows.add(new Row<>(scenario + " server RSS at end (MiB)",
                    s -> mib(FoundationReport.ServerFigures.at(s.run(scenario), "server", "rssKiBAtEnd")), "%.1f", false));
        }
        rows.add(new Row<>("peak RSS over the run, VmHWM (MiB)", s -> mib(s.env("hwm_kib")), "%.1f", false));
        return rows;
    }

    private static Double mib(Double kib) {
        return kib == null || kib < 0 ? null : kib / 1024.0;
    }

    private static Double thousandth(Double value) {
        return value == null ? null : value / 1000.0;
    }
}
