package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-foundation-bench.sh} into markdown: the
 * machine, then one table with every figure of each server and the ratio of the first
 * server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.FoundationReport RESULTS_DIR callhs synapse}.
 * RESULTS_DIR holds {@code machine.env}, {@code params.env} and, per server label,
 * {@code <label>.env} (start-up and memory figures), {@code <label>-whoami.json} and
 * {@code <label>-register-login.json} (one JSON line from {@link LoadGenerator}). Missing
 * files give "n/a" cells, so a server that failed to build or start still leaves a report.
 */
public final class FoundationReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The figures of one server, from its files. */
    record ServerFigures(String label, Map<String, String> env, JsonNode whoami, JsonNode registerLogin)
            implements FiguresTable.Server {

        static ServerFigures load(Path dir, String label) throws IOException {
            return new ServerFigures(label, readEnv(dir.resolve(label + ".env")),
                    readJson(dir.resolve(label + "-whoami.json")), readJson(dir.resolve(label + "-register-login.json")));
        }

        static Double series(JsonNode run, String series, String... path) {
            if (run == null) {
                return null;
            }
            for (JsonNode node : run.path("series")) {
                if (node.path("name").asText().equals(series)) {
                    JsonNode value = node;
                    for (String p : path) {
                        value = value.path(p);
                    }
                    return value.isNumber() ? value.asDouble() : null;
                }
            }
            return null;
        }

        static Double at(JsonNode run, String... path) {
            if (run == null) {
                return null;
            }
            JsonNode value = run;
            for (String p : path) {
                value = value.path(p);
            }
            return value.isNumber() ? value.asDouble() : null;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: FoundationReport RESULTS_DIR LABEL...   (the ratio is LABEL1 / LABEL2)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        List<ServerFigures> servers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            servers.add(ServerFigures.load(dir, args[i]));
        }
        print(System.out, readEnv(dir.resolve("machine.env")), readEnv(dir.resolve("params.env")), servers);
    }

    static void print(PrintStream out, Map<String, String> machine, Map<String, String> params, List<ServerFigures> servers) {
        FiguresTable.printMachine(out, machine);
        out.println("### Figures");
        out.println();
        out.printf(Locale.ROOT, "whoami: closed loop, %s users, warm-up %s, measured %s. register-login: closed loop, %s users, "
                        + "warm-up %s, measured %s. Generator and server share the machine; ↑ higher is better, ↓ lower is better.%n%n",
                params.getOrDefault("whoami_users", "?"), params.getOrDefault("whoami_warmup", "?"),
                params.getOrDefault("whoami_duration", "?"), params.getOrDefault("reglogin_users", "?"),
                params.getOrDefault("reglogin_warmup", "?"), params.getOrDefault("reglogin_duration", "?"));
        FiguresTable.print(out, servers, rows());
        out.println();
        for (ServerFigures server : servers) {
            FiguresTable.printStatus(out, server);
            FiguresTable.printErrors(out, server.label(), "whoami", server.whoami());
            FiguresTable.printErrors(out, server.label(), "register-login", server.registerLogin());
        }
    }

    static List<Row<ServerFigures>> rows() {
        List<Row<ServerFigures>> rows = new ArrayList<>();
        rows.add(new Row<>("start-up to first 200, empty data dir (ms)", s -> s.env("startup_ms"), "%.0f", false));
        rows.add(new Row<>("restart to first 200, existing data (ms)", s -> s.env("restart_ms"), "%.0f", false));
        rows.add(new Row<>("RSS idle after start-up (MiB)", s -> FiguresTable.mib(s.env("rss_idle_kib")), "%.1f", false));
        rows.add(new Row<>("RSS at end of whoami load (MiB)", s -> FiguresTable.mib(s.env("rss_after_whoami_kib")), "%.1f", false));
        rows.add(new Row<>("RSS at end of register-login (MiB)", s -> FiguresTable.mib(s.env("rss_after_reglogin_kib")), "%.1f", false));
        rows.add(new Row<>("peak RSS, VmHWM (MiB)", s -> FiguresTable.mib(s.env("hwm_kib")), "%.1f", false));
        rows.add(new Row<>("whoami throughput (req/s)", s -> ServerFigures.series(s.whoami(), "whoami", "throughput"), "%.0f", true));
        for (String p : List.of("p50", "p90", "p99", "p99.9", "max")) {
            rows.add(new Row<>("whoami " + p + " (ms)", s -> ServerFigures.series(s.whoami(), "whoami", "latencyMs", p), "%.2f", false));
        }
        rows.add(new Row<>("whoami errors", s -> ServerFigures.series(s.whoami(), "whoami", "errorCount"), "%.0f", false));
        rows.add(new Row<>("whoami server CPU per request (µs)", s -> ServerFigures.at(s.whoami(), "server", "cpuMicrosPerIteration"), "%.0f", false));
        rows.add(new Row<>("whoami server CPU used (cores)", s -> ServerFigures.at(s.whoami(), "server", "cpuCores"), "%.2f", false));
        rows.add(new Row<>("whoami generator CPU (cores)", s -> ServerFigures.at(s.whoami(), "generator", "cpuCores"), "%.2f", false));
        rows.add(new Row<>("register+login throughput (iterations/s)",
                s -> ServerFigures.series(s.registerLogin(), RegisterLoginScenario.ITERATION, "throughput"), "%.1f", true));
        for (String series : List.of(RegisterLoginScenario.ITERATION, RegisterLoginScenario.REGISTER, RegisterLoginScenario.LOGIN)) {
            for (String p : List.of("p50", "p99", "max")) {
                rows.add(new Row<>(series + " " + p + " (ms)", s -> ServerFigures.series(s.registerLogin(), series, "latencyMs", p), "%.1f", false));
            }
        }
        rows.add(new Row<>("register-login errors", s -> sum(
                ServerFigures.series(s.registerLogin(), RegisterLoginScenario.REGISTER, "errorCount"),
                ServerFigures.series(s.registerLogin(), RegisterLoginScenario.LOGIN, "errorCount")), "%.0f", false));
        rows.add(new Row<>("register+login server CPU per iteration (ms)",
                s -> FiguresTable.thousandth(ServerFigures.at(s.registerLogin(), "server", "cpuMicrosPerIteration")), "%.1f", false));
        return rows;
    }

    private static Double sum(Double a, Double b) {
        return a == null || b == null ? null : a + b;
    }

    /** Reads KEY=VALUE lines (no quoting; the value is everything after the first '='). */
    static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return env;
        }
        for (String line : Files.readAllLines(file)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return env;
    }

    static JsonNode readJson(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
    }
}
