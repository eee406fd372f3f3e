package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.JsSdkScripts;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Rooms;

/**
 * A MatrixRTC call split over servers ({@code js/rtc-federated-call.mjs}), shared by the callhs-only and
 * the callhs-and-Synapse scenarios: participant A on a callhs process, B on another server (the room's
 * creator), C on a third server that joins the room late. The script runs while this class plays the
 * operator: when the script asks, A's callhs is killed with {@code kill -9} and started again 10 s later.
 */
final class RtcFederationChecks {
    static final String LEGACY_TYPE = "org.matrix.msc3401.call.member";
    static final int DELAY_MS = 6_000;
    static final int RESTART_MS = 2_000;
    static final int SLACK_MS = 4_000;
    /** B's view of A's leave after A's server came back: its start-up, the overdue leave firing, federation, B's sync. */
    static final long LEAVE_AFTER_RESTART_MAX_MS = 20_000;
    static final List<String> STEPS = List.of("clientsStarted", "bothInCall", "aKeptAliveByRestarts", "aKilledLeaveSeenByB",
            "aRejoinSeenByB", "fillers", "lateServerSeesBoth", "serverOfAKilled");

    private RtcFederationChecks() {}

    private static String serverOf(CsApiClient user) {
        return user.userId().substring(user.userId().indexOf(':') + 1);
    }

    private static Map<String, Object> participant(CsApiClient user) {
        Map<String, Object> json = new LinkedHashMap<>(JsSdkScripts.user(user));
        json.put("baseUrl", user.baseUrl().toString());
        return json;
    }

    /**
     * Runs the call in {@code mode} and checks it: {@code a} must be a user of {@code aServer}, the process
     * this check kills and restarts; {@code b} creates the room and {@code a} joins it through b's server;
     * {@code c} joins through b's server after 65 other events.
     */
    static JsonNode callAcrossServers(Deployment deployment, HomeserverProcess aServer, CsApiClient a, CsApiClient b, CsApiClient c,
                                      String mode, String logName) {
        String roomId = Rooms.create(b, Map.of("preset", "public_chat",
                "power_level_content_override", Map.of("events", Map.of(LEGACY_TYPE, 0))));
        a.request("POST", "join", roomId).query("server_name", serverOf(b)).json(obj()).send().assertOk();
        FederationChecks.awaitJoined(b, roomId, a.userId(), true);
        Path signals;
        try {
            signals = Files.createTempDirectory("rtc-signals-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> input = Json.obj("roomId", roomId, "mode", mode, "a", participant(a), "b", participant(b),
                "c", participant(c), "cVia", List.of(serverOf(b)), "fillers", 65, "delayMs", DELAY_MS, "restartMs", RESTART_MS,
                "slackMs", SLACK_MS, "timeoutMs", 30_000, "signalDir", signals.toString());
        JsSdkScripts scripts = JsSdkScripts.prepare();
        CompletableFuture<JsSdkScripts.Run> call = CompletableFuture.supplyAsync(
                () -> scripts.runOk(deployment, "rtc-federated-call.mjs", input, logName, Duration.ofSeconds(300)));
        try {
            Path kill = signals.resolve("kill-a-server");
            while (!call.isDone() && !Files.exists(kill)) sleep(50);
            if (Files.exists(kill)) {
                aServer.kill();
                sleep(10_000);
                Files.writeString(signals.resolve("a-server-restarted.tmp"), String.valueOf(System.currentTimeMillis()));
                Files.move(signals.resolve("a-server-restarted.tmp"), signals.resolve("a-server-restarted"),
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                aServer.start();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!aServer.isRunning()) aServer.start();
        }
        JsSdkScripts.Run run = call.join();
        JsonNode summary = run.summary();
        assertThat(summary.path("sdkVersion").asText()).as(run.context()).isEqualTo(JsSdkScripts.lockedSdkVersion());
        List<String> steps = new ArrayList<>();
        summary.path("steps").fieldNames().forEachRemaining(steps::add);
        assertThat(steps).as(run.context()).containsExactlyElementsOf(STEPS);
        assertThat(summary.path("leaveAfterMs").asLong()).as(run.context())
                .isBetween((long) DELAY_MS - RESTART_MS - 500, (long) DELAY_MS + SLACK_MS);
        assertThat(summary.path("leaveAfterServerRestartMs").asLong()).as(run.context()).isBetween(0L, LEAVE_AFTER_RESTART_MAX_MS);
        return summary;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
