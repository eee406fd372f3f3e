package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of one server in a run of several scenarios: its {@code <label>.env} (status,
 * memory) and, per scenario, the JSON line {@link LoadGenerator} wrote to
 * {@code <label>-<scenario>.json}. Missing files leave the scenario out, so its figures print
 * as "n/a".
 */
record ScenarioRuns(String label, Map<String, String> env, Map<String, JsonNode> runs) implements FiguresTable.Server {

    static ScenarioRuns load(Path dir, String label, List<String> scenarios) throws IOException {
        Map<String, JsonNode> runs = new LinkedHashMap<>();
        for (String scenario : scenarios) {
            JsonNode run = FoundationReport.readJson(dir.resolve(label + "-" + scenario + ".json"));
            if (run != null) {
                runs.put(scenario, run);
            }
        }
        return new ScenarioRuns(label, FoundationReport.readEnv(dir.resolve(label + ".env")), runs);
    }

    JsonNode run(String scenario) {
        return runs.get(scenario);
    }

    /** A number of one series of a scenario's run, e.g. {@code series("send-one-room", "send", "latencyMs", "p99")}. */
    Double series(String scenario, String series, String... path) {
        return FoundationReport.ServerFigures.series(run(scenario), series, path);
    }

    /** A number anywhere in a scenario's run, e.g. {@code at("initial-sync", "server", "cpuCores")}. */
    Double at(String scenario, String... path) {
        return FoundationReport.ServerFigures.at(run(scenario), path);
    }
}
