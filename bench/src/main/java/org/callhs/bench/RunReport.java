package org.callhs.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one run measured, printable as a human table or as a single JSON line.
 *
 * @param label              free name of the server under test ("callhs", "synapse")
 * @param targetRate         open-loop arrival rate (iterations/s), or 0 for a closed loop
 * @param series             one result per series; the first is the scenario's main figure
 * @param scheduleLag        open loop only (else null): how late iterations left vs their slot
 * @param connectionsOpened  TCP connections opened in total (== users when keep-alive works)
 * @param window             CPU figures sampled over the measured window
 * @param serverPid          pid whose CPU was sampled, or 0
 * @param figures            the scenario's own figures beyond the series (response size...)
 */
public record RunReport(
        String label, String scenario, String baseUrl, String runId, Instant startedAt,
        int users, double targetRate, double warmupSeconds, double measuredSeconds, double setupSeconds,
        List<SeriesResult> series, LatencyStats scheduleLag, long connectionsOpened,
        WindowSampler.Sample window, long serverPid, Map<String, Number> figures) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9"};

    public String mode() {
        return targetRate > 0 ? "open" : "closed";
    }

    /** Iterations of the main series per second of measured window. */
    public double throughput(SeriesResult result) {
        return result.stats().count() / measuredSeconds;
    }

    private long mainCount() {
        return series.getFirst().stats().count() + series.getFirst().errorCount();
    }

    /** The report as one line of JSON (no line breaks), for scripts. */
    public String toJsonLine() {
        ObjectNode root = JSON.createObjectNode()
                .put("label", label)
                .put("scenario", scenario)
                .put("mode", mode())
                .put("users", users);
        if (targetRate > 0) {
            root.put("rate", targetRate);
        } else {
            root.putNull("rate");
        }
        root.put("warmupSeconds", warmupSeconds)
            .put("durationSeconds", measuredSeconds)
            .put("setupSeconds", round(setupSeconds, 3))
            .put("baseUrl", baseUrl)
            .put("runId", runId)
            .put("startedAt", startedAt.toString());
        var seriesArray = root.putArray("series");
        for (SeriesResult result : series) {
            ObjectNode node = seriesArray.addObject()
                    .put("name", result.name())
                    .put("count", result.stats().count())
                    .put("throughput", round(throughput(result), 2));
            latencyNode(node.putObject("latencyMs"), result.stats());
            node.put("errorCount", result.errorCount());
            ObjectNode errors = node.putObject("errors");
            result.errors().forEach(errors::put);
        }
        ObjectNode figuresNode = root.putObject("figures");
        figures.forEach((key, value) -> {
            if (value instanceof Double || value instanceof Float) {
                figuresNode.put(key, round(value.doubleValue(), 3));
            } else {
                figuresNode.put(key, value.longValue());
            }
        });
        ObjectNode generator = root.putObject("generator")
                .put("connectionsOpened", connectionsOpened)
                .put("java", Runtime.version().toString());
        cpuNodes(generator, window.generatorCpuSeconds());
        if (scheduleLag != null) {
            latencyNode(generator.putObject("scheduleLagMs"), scheduleLag);
        }
        if (serverPid > 0) {
            ObjectNode server = root.putObject("server").put("pid", serverPid);
            cpuNodes(server, window.serverCpuSeconds());
            server.put("rssKiBAtEnd", window.serverRssKiBAtEnd());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void cpuNodes(ObjectNode node, double cpuSeconds) {
        if (cpuSeconds < 0) {
            node.putNull("cpuSeconds");
            return;
        }
        node.put("cpuSeconds", round(cpuSeconds, 3))
            .put("cpuCores", round(cpuSeconds / measuredSeconds, 3));
        long iterations = mainCount();
        if (iterations > 0) {
            node.put("cpuMicrosPerIteration", round(cpuSeconds * 1e6 / iterations, 2));
        }
    }

    private static void latencyNode(ObjectNode node, LatencyStats stats) {
        for (int i = 0; i < PERCENTILES.length; i++) {
            node.put(PERCENTILE_NAMES[i], millis(stats.percentileNanos(PERCENTILES[i])));
        }
        node.put("max", millis(stats.maxNanos()))
            .put("mean", millis((long) stats.meanNanos()))
            .put("min", millis(stats.minNanos()));
    }

    /** The report as a human-readable table. */
    public void printTable(PrintStream out) {
        out.printf(Locale.ROOT, "%n== %s · %s · %s loop%s · %d users · warm-up %s s · measured %s s · setup %.1f s ==%n",
                label, scenario, mode(), targetRate > 0 ? String.format(Locale.ROOT, " at %.0f/s", targetRate) : "",
                users, trim(warmupSeconds), trim(measuredSeconds), setupSeconds);
        out.printf(Locale.ROOT, "%-16s %9s %10s %9s %9s %9s %9s %9s %9s %7s%n",
                "series", "ok", "per s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "mean ms", "errors");
        for (SeriesResult result : series) {
            LatencyStats s = result.stats();
            out.printf(Locale.ROOT, "%-16s %9d %10.1f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %7d%n",
                    result.name(), s.count(), throughput(result),
                    millis(s.percentileNanos(50)), millis(s.percentileNanos(90)), millis(s.percentileNanos(99)),
                    millis(s.percentileNanos(99.9)), millis(s.maxNanos()), millis((long) s.meanNanos()),
                    result.errorCount());
        }
        for (SeriesResult result : series) {
            for (Map.Entry<String, Long> error : result.errors().entrySet()) {
                out.printf(Locale.ROOT, "  error  %-14s %-32s x %d%n", result.name(), error.getKey(), error.getValue());
            }
        }
        if (!figures.isEmpty()) {
            out.println("figures: " + figures);
        }
        out.printf(Locale.ROOT, "generator: %s, %d TCP connection(s) opened%n",
                cpuText(window.generatorCpuSeconds()), connectionsOpened);
        if (scheduleLag != null) {
            out.printf(Locale.ROOT, "schedule lag (actual - scheduled start): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
                    millis(scheduleLag.percentileNanos(50)), millis(scheduleLag.percentileNanos(99)),
                    millis(scheduleLag.maxNanos()));
        }
        if (serverPid > 0) {
            out.printf(Locale.ROOT, "server pid %d: %s, RSS at end %s%n", serverPid, cpuText(window.serverCpuSeconds()),
                    window.serverRssKiBAtEnd() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", window.serverRssKiBAtEnd() / 1024.0));
        }
    }

    private String cpuText(double cpuSeconds) {
        if (cpuSeconds < 0) {
            return "CPU n/a";
        }
        long iterations = mainCount();
        return String.format(Locale.ROOT, "CPU %.2f s (%.2f cores), %s µs CPU per iteration",
                cpuSeconds, cpuSeconds / measuredSeconds,
                iterations == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", cpuSeconds * 1e6 / iterations));
    }

    private static double millis(long nanos) {
        return round(nanos / 1e6, 3);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static String trim(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }
}
