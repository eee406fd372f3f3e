package org.callhs.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * The report of a bench script that runs several scenarios per server ({@link RoomsReport},
 * {@link SyncReport}): the machine, a line saying how the scenarios ran, one figures table
 * with a column per server and the ratio of the first to the second, then the status and
 * error lines. A {@link Contents} says which scenarios, which description and which rows.
 *
 * <p>Usage of such a report: {@code java -cp bench.jar CLASS RESULTS_DIR LABEL...}. RESULTS_DIR
 * holds {@code machine.env}, {@code params.env}, and per server label {@code <label>.env} and
 * {@code <label>-<scenario>.json}.
 */
final class ScenarioReport {

    /** What one kind of report shows. */
    interface Contents {

        List<String> scenarios();

        /** The sentence under "### Figures": how each scenario ran, from {@code params.env}. */
        String description(Map<String, String> params);

        List<Row<ScenarioRuns>> rows();
    }

    private ScenarioReport() {
    }

    /** The {@code main} of a report: reads RESULTS_DIR for the labels in {@code args} and prints to stdout. */
    static void main(String[] args, String name, Contents contents) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: " + name + " RESULTS_DIR LABEL...   (the ratio is LABEL1 / LABEL2)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<ScenarioRuns> servers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            servers.add(ScenarioRuns.load(dir, args[i], contents.scenarios()));
        }
        print(System.out, FoundationReport.readEnv(dir.resolve("machine.env")),
                FoundationReport.readEnv(dir.resolve("params.env")), servers, contents);
    }

    static void print(PrintStream out, Map<String, String> machine, Map<String, String> params, List<ScenarioRuns> servers,
                      Contents contents) {
        FiguresTable.printMachine(out, machine);
        out.println("### Figures");
        out.println();
        out.println(contents.description(params) + " Generator and server share the machine; ↑ higher is better, ↓ lower is better.");
        out.println();
        FiguresTable.print(out, servers, contents.rows());
        out.println();
        for (ScenarioRuns server : servers) {
            FiguresTable.printStatus(out, server);
            for (String scenario : contents.scenarios()) {
                FiguresTable.printErrors(out, server.label(), scenario, server.run(scenario));
            }
        }
    }

    /** The row "SCENARIO PERCENTILE (ms)" for each percentile of {@code series} ({@code "p50"}, {@code "max"}...). */
    /** A run parameter from {@code params.env} for a report's description, "?" when missing. */
    static String param(Map<String, String> params, String key) {
        return params.getOrDefault(key, "?");
    }

    /** "warm-up X, measured Y" from the {@code <prefix>_warmup} and {@code <prefix>_duration} parameters. */
    static String window(Map<String, String> params, String prefix) {
        return "warm-up " + param(params, prefix + "_warmup") + ", measured " + param(params, prefix + "_duration");
    }

    static void addLatencyRows(List<Row<ScenarioRuns>> rows, String scenario, String series, String label, List<String> percentiles) {
        for (String p : percentiles) {
            rows.add(new Row<>(label + " " + p + " (ms)", s -> s.series(scenario, series, "latencyMs", p), "%.2f", false));
        }
    }

    /** The rows every scenario has: server CPU in cores, generator CPU in cores, server RSS at the end of its window. */
    static void addMachineRows(List<Row<ScenarioRuns>> rows, String scenario) {
        rows.add(new Row<>(scenario + " server CPU used (cores)", s -> s.at(scenario, "server", "cpuCores"), "%.2f", false));
        rows.add(new Row<>(scenario + " generator CPU (cores)", s -> s.at(scenario, "generator", "cpuCores"), "%.2f", false));
        rows.add(new Row<>(scenario + " server RSS at end (MiB)",
                s -> FiguresTable.mib(s.at(scenario, "server", "rssKiBAtEnd")), "%.1f", false));
    }

    /** The last row of a report: the server's peak RSS over all its scenarios. */
    static Row<ScenarioRuns> peakRssRow() {
        return new Row<>("peak RSS over the run, VmHWM (MiB)", s -> FiguresTable.mib(s.env("hwm_kib")), "%.1f", false);
    }
}
