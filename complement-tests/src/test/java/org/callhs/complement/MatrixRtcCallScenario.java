package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.JsSdkScripts;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * MatrixRTC end to end with the real matrix-js-sdk {@code MatrixRTCSession}, in both membership modes:
 * {@code js/rtc-call.mjs} has user B watch the call while user A, a separate Node process, joins, keeps
 * its delayed leave alive, is killed with SIGKILL, and joins again. B must see A leave within the
 * delayed-leave delay plus {@value #SLACK_MS} ms of the kill, and not before the delay could have run
 * out. Afterwards the room is read back over the Client-Server API: the leave the server sent on A's
 * behalf is there, and in sticky mode it is sticky (matrix-js-sdk ignores a leave that is not).
 *
 * <p>The room is what Element Call creates: public, unencrypted, members may send call membership
 * state. Logs: {@code target/complement-logs/<deployment>/js-rtc-<mode>.log}.
 */
@HomeserverScenario
class MatrixRtcCallScenario {
    private static final String PASSWORD = "rtc-password";
    private static final String LEGACY_TYPE = "org.matrix.msc3401.call.member";
    private static final String STICKY_TYPE = "org.matrix.msc4143.rtc.member";
    private static final int DELAY_MS = 6_000;
    private static final int RESTART_MS = 2_000;
    private static final int SLACK_MS = 4_000;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(150);
    private static final List<String> STEPS = List.of("bStarted", "aJoinSeenByB", "aKeptAliveByRestarts", "aKilledLeaveSeenByB",
            "aRejoinSeenByB");

    @Parameter Backend backend;

    static Deployment deployment;
    static JsSdkScripts scripts;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        scripts = JsSdkScripts.prepare();
        deployment = Deployment.start(backend, MatrixRtcCallScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private record Call(CsApiClient a, CsApiClient b, String roomId, JsonNode summary) {}

    private static Call runCall(String mode) {
        CsApiClient a = deployment.hs1().client().register(Names.unique("rtc" + mode + "a"), PASSWORD);
        CsApiClient b = deployment.hs1().client().register(Names.unique("rtc" + mode + "b"), PASSWORD);
        String roomId = Rooms.create(a, Map.of("preset", "public_chat",
                "power_level_content_override", Map.of("events", Map.of(LEGACY_TYPE, 0))));
        Rooms.join(b, roomId);
        JsSdkScripts.Run run = scripts.runOk(deployment, "rtc-call.mjs", Json.obj(
                "baseUrl", deployment.hs1().baseUrl().toString(), "roomId", roomId, "mode", mode,
                "a", JsSdkScripts.user(a), "b", JsSdkScripts.user(b),
                "delayMs", DELAY_MS, "restartMs", RESTART_MS, "slackMs", SLACK_MS, "timeoutMs", 20_000),
                "js-rtc-" + mode + ".log", SCRIPT_TIMEOUT);
        JsonNode summary = run.summary();
        assertThat(summary.path("sdkVersion").asText()).as(run.context()).isEqualTo(JsSdkScripts.lockedSdkVersion());
        List<String> steps = new ArrayList<>();
        summary.path("steps").fieldNames().forEachRemaining(steps::add);
        assertThat(steps).as(run.context()).containsExactlyElementsOf(STEPS);
        assertThat(summary.path("leaveAfterMs").asLong()).as(run.context()).isBetween((long) DELAY_MS - RESTART_MS - 500, (long) DELAY_MS + SLACK_MS);
        return new Call(a, b, roomId, summary);
    }

    /** A's events of {@code type} in the room, oldest first. */
    private static List<JsonNode> eventsOf(Call call, String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode event : Rooms.paginateAll(call.b(), call.roomId(), "f", 100)) {
            if (event.path("type").asText().equals(type) && event.path("sender").asText().equals(call.a().userId())) out.add(event);
        }
        return out;
    }

    @Test
    void legacyStateMembershipLeavesWhenTheClientIsKilled() {
        Call call = runCall("legacy");
        List<JsonNode> memberships = eventsOf(call, LEGACY_TYPE);
        String key = "_" + call.a().userId() + "_" + call.a().deviceId() + "_m.call";
        assertThat(memberships).as("join, the leave the server sent, join again").hasSizeGreaterThanOrEqualTo(3);
        assertThat(memberships).allMatch(e -> e.path("state_key").asText().equals(key));
        assertThat(memberships).anyMatch(e -> e.path("content").isEmpty());
        assertThat(memberships.get(memberships.size() - 1).path("content").path("application").asText())
                .as("the last membership is the rejoin").isEqualTo("m.call");
    }

    @Test
    void stickyMembershipLeavesWhenTheClientIsKilled() {
        Call call = runCall("sticky");
        List<JsonNode> memberships = eventsOf(call, STICKY_TYPE);
        assertThat(memberships).as("join, the leave the server sent, join again").hasSizeGreaterThanOrEqualTo(3);
        assertThat(memberships).allMatch(e -> e.path("msc4354_sticky").path("duration_ms").asLong() == 3_600_000L);
        JsonNode leave = memberships.stream().filter(e -> !e.path("content").has("member")).findFirst().orElseThrow();
        assertThat(leave.path("content").path("msc4354_sticky_key").asText()).isNotBlank();
        assertThat(memberships.get(memberships.size() - 1).path("content").has("member")).as("the last membership is the rejoin").isTrue();
    }
}
