package org.callhs.complement.harness;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Runs the scripts in {@code complement-tests/js} (real matrix-js-sdk under Node 22, the version
 * {@code js/package-lock.json} pins): each takes one JSON object on standard input and prints one JSON
 * summary line with {@code "ok"}. The script's standard error (its own log and the SDK's, at debug level
 * unless {@code -Dcomplement.jsLogLevel=...}) goes to {@code target/complement-logs/<deployment>/<log>}.
 */
public final class JsSdkScripts {
    public static final Path JS_DIR = Path.of(System.getProperty("basedir", "."), "js");
    private static final Path LOG_ROOT = Path.of(System.getProperty("basedir", "."), "target", "complement-logs");

    private final NodeJs node;

    private JsSdkScripts(NodeJs node) {
        this.node = node;
    }

    /**
     * Node and the SDK, installed with {@code npm ci} when {@code node_modules} does not match the lockfile.
     * Without Node 22 this fails and says how to install it (see {@link NodeJs}).
     */
    public static JsSdkScripts prepare() {
        NodeJs node = NodeJs.require();
        node.installDependencies(JS_DIR, LOG_ROOT.resolve("js-npm-ci.log"));
        return new JsSdkScripts(node);
    }

    /** A script's summary line, and where its log is. */
    public record Run(JsonNode summary, String context) {}

    /** Runs {@code script} with {@code input}; fails (with the log's tail) unless its summary says {@code "ok": true}. */
    public Run runOk(Deployment deployment, String script, Map<String, Object> input, String logName, Duration timeout) {
        Path log = LOG_ROOT.resolve(deployment.name()).resolve(logName);
        try {
            Files.deleteIfExists(log); // a remote deployment's log directory is not cleaned between runs
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = Map.of("JSSDK_LOG_LEVEL", System.getProperty("complement.jsLogLevel", "debug"));
        String stdin = new String(Json.bytes(input), StandardCharsets.UTF_8);
        NodeJs.Result result = node.runScript(JS_DIR, script, stdin, log, timeout, env);
        JsonNode summary = result.lastJsonLine();
        String context = node + ", " + (result.timedOut() ? "killed after " + timeout.toSeconds() + " s"
                : "exit code " + result.exitCode()) + ", summary " + summary + ". Log " + log.toAbsolutePath()
                + ":\n" + ServerLogs.tail(log);
        if (result.timedOut() || result.exitCode() != 0 || summary == null || !summary.path("ok").asBoolean(false)) {
            fail(script + " failed at step '" + (summary == null ? "?" : summary.path("step").asText("?")) + "': "
                    + (summary == null ? "no JSON summary" : summary.path("error").asText()) + " (" + context + ")");
        }
        return new Run(summary, context);
    }

    /** A registered user as the scripts take it. */
    public static Map<String, Object> user(CsApiClient client) {
        return Json.obj("userId", client.userId(), "accessToken", client.accessToken(), "deviceId", client.deviceId());
    }

    /** matrix-js-sdk's version in js/package-lock.json. */
    public static String lockedSdkVersion() {
        try {
            JsonNode lock = Json.MAPPER.readTree(JS_DIR.resolve("package-lock.json").toFile());
            return lock.path("packages").path("node_modules/matrix-js-sdk").path("version").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
