package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.Chromium;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.LiveKitSfu;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.NodeJs;
import org.callhs.complement.harness.Rooms;
import org.callhs.complement.harness.ServerLogsOnFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real Element Call calls (0.26.1, the standalone app of {@code @element-hq/element-call-embedded})
 * in two headless Chromium processes with fake camera and microphone, through a real LiveKit SFU
 * (v1.13.5, loopback, room auto-create off), with callhs as the homeserver and as the LiveKit
 * token service: {@code element-call/element-call.mjs} drives the pages. In each membership mode,
 * Alice creates a call on Element Call's home page (its media end-to-end encrypted with a key shared in the link) and
 * Bob opens its link; both pages show 2 participants and the other's video, LiveKit
 * has both participants active, callhs holds both memberships with their delayed leaves; Bob's
 * browser process is killed and Alice's page must show him gone within seconds (LiveKit's webhook
 * makes callhs send his leave at once); Alice hangs up and her leave is sent. Once more without the
 * webhook: Bob's leave then comes from callhs's periodic look-up on the SFU. The times are printed
 * and kept in the summary; screenshots of each step are under
 * {@code target/complement-logs/ElementCallScenario/screenshots/}. SQLite only: the database is not
 * what this checks. Everything it needs is installed by itself: Debian's chromium
 * ({@code .ci/chromium.sh}), the npm packages ({@code npm ci}), livekit-server ({@code .ci/livekit.sh}).
 */
@ExtendWith(ServerLogsOnFailure.class)
class ElementCallScenario {
    private static final Path APP_DIR = Path.of(System.getProperty("basedir", "."), "element-call");
    private static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "complement-logs", "ElementCallScenario");
    private static final String LEGACY_TYPE = "org.matrix.msc3401.call.member";
    private static final String STICKY_TYPE = "org.matrix.msc4143.rtc.member";
    private static final long CHECK_SECONDS = 5;
    private static final String SECRET = Names.random(48);

    static Deployment deployment;
    static LiveKitSfu sfu;
    static int sfuPort;
    static NodeJs node;
    static String chromium;

    @BeforeAll
    static void deploy() throws Exception {
        chromium = Chromium.binary();
        node = NodeJs.require();
        node.installDependencies(APP_DIR, LOGS.resolve("npm-ci.log"));
        Files.createDirectories(LOGS);
        Path secret = LOGS.resolve("livekit.secret");
        Files.writeString(secret, SECRET + "\n");
        sfuPort = LiveKitSfu.freePort();
        deployment = Deployment.start(Backend.SQLITE, "ElementCallScenario", HomeserverOptions.defaults()
                .set("rtc.livekit.url", "\"ws://127.0.0.1:" + sfuPort + "\"")
                .set("rtc.livekit.key", LiveKitSfu.KEY)
                .set("rtc.livekit.secret_path", "\"" + secret.toAbsolutePath() + "\"")
                .set("rtc.livekit.participant_check_seconds", Long.toString(CHECK_SECONDS))
                .requiringProcessControl("runs a LiveKit SFU and browsers beside the homeserver"));
        startSfu(true);
    }

    @AfterAll
    static void tearDown() {
        if (sfu != null) sfu.close();
        Deployment.close(deployment);
    }

    private static void startSfu(boolean webhook) throws Exception {
        if (sfu != null) sfu.close();
        sfu = null;
        String hook = webhook ? deployment.hs1().baseUrl() + "/livekit/jwt/sfu_webhook" : null;
        sfu = LiveKitSfu.start(sfuPort, SECRET, hook, LOGS.resolve("livekit-" + (webhook ? "webhook" : "no-webhook") + ".log"));
    }

    private record Call(CsApiClient alice, CsApiClient bob, String roomId, JsonNode summary) {}

    private static Call call(String mode, String label) {
        CsApiClient alice = deployment.hs1().client().register(Names.unique("ec" + label + "alice"), "element-call-password");
        CsApiClient bob = deployment.hs1().client().register(Names.unique("ec" + label + "bob"), "element-call-password");
        NodeJs.Result result = node.runScript(APP_DIR, "element-call.mjs", new String(Json.bytes(Json.obj(
                        "homeserver", deployment.hs1().baseUrl().toString(), "serverName", deployment.hs1().serverName(),
                        "callName", "Element Call " + label, "mode", mode, "alice", user(alice), "bob", user(bob), "chromium", chromium,
                        "shots", LOGS.resolve("screenshots").resolve(label).toAbsolutePath().toString(), "dropTimeoutMs", 60_000)),
                        java.nio.charset.StandardCharsets.UTF_8),
                LOGS.resolve("element-call-" + label + ".log"), Duration.ofMinutes(5), Map.of());
        JsonNode summary = result.lastJsonLine();
        String context = "summary " + summary + ", log " + LOGS.resolve("element-call-" + label + ".log").toAbsolutePath();
        assertThat(summary).as(context).isNotNull();
        assertThat(summary.path("ok").asBoolean()).as(context).isTrue();
        String roomId = summary.path("roomId").asText();
        assertThat(summary.path("link").asText()).as("Element Call's link carries the call's shared media key").contains("password=");
        String lkRoom = liveKitName("[\"" + roomId + "\",\"m.call#ROOM\"]");
        java.util.Set<String> active = new java.util.LinkedHashSet<>();
        Long bobGoneAt = null;
        for (String line : sfu.logText().split("\n")) {
            if (!line.contains("\"room\": \"" + lkRoom + "\"")) continue;
            if (line.contains("participant active")) active.add(field(line, "participant"));
            // LiveKit drops a participant whose connection it lost about 20 s after the loss (ICE time-outs), then tells webhooks.
            if (bobGoneAt == null && line.contains("participant closing")) {
                long at = java.time.Instant.parse(line.substring(0, line.indexOf('\t'))).toEpochMilli();
                if (at >= summary.path("killedAtEpochMs").asLong()) bobGoneAt = at;
            }
        }
        assertThat(active).as("LiveKit had both participants active in the call's room; log %s", sfu.log()).hasSize(2);
        if (mode.equals("compatibility")) {
            assertThat(active).containsExactlyInAnyOrder(alice.userId() + ":" + alice.deviceId(), bob.userId() + ":" + bob.deviceId());
        }
        long afterSfu = bobGoneAt == null ? -1 : summary.path("droppedAtEpochMs").asLong() - bobGoneAt;
        System.out.printf("[ElementCallScenario] %s: both in the call %d ms after Bob's join; Alice saw Bob's kill after %d ms, "
                        + "%d ms after LiveKit dropped him (%s)%n", label, summary.path("joinMs").asLong(),
                summary.path("dropMs").asLong(), afterSfu, sfu.logText().contains("sent webhook") ? "webhook" : "no webhook");
        ((com.fasterxml.jackson.databind.node.ObjectNode) summary).put("afterSfuMs", afterSfu);
        return new Call(alice, bob, roomId, summary);
    }

    /** A LiveKit name as lk-jwt-service and callhs derive it, for IDs without characters JSON escapes. */
    private static String liveKitName(String jsonArray) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(jsonArray.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A string field of a LiveKit log line's JSON part. */
    private static String field(String line, String name) {
        int at = line.indexOf("\"" + name + "\": \"");
        if (at < 0) return "";
        int start = at + name.length() + 5;
        return line.substring(start, line.indexOf('"', start));
    }

    private static Map<String, Object> user(CsApiClient client) {
        return Json.obj("userId", client.userId(), "accessToken", client.accessToken(), "deviceId", client.deviceId());
    }

    /** {@code user}'s events of {@code type} in the room, oldest first. */
    private static List<JsonNode> eventsOf(Call call, CsApiClient user, String type) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode event : Rooms.paginateAll(call.alice(), call.roomId(), "f", 100)) {
            if (event.path("type").asText().equals(type) && event.path("sender").asText().equals(user.userId())) out.add(event);
        }
        return out;
    }

    private static void leftInState(Call call, CsApiClient user) {
        List<JsonNode> memberships = eventsOf(call, user, LEGACY_TYPE);
        assertThat(memberships).as("%s joined, then left", user.userId()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(memberships.get(0).path("content").path("application").asText()).isEqualTo("m.call");
        assertThat(memberships.get(memberships.size() - 1).path("content").isEmpty()).as("the last membership is the leave").isTrue();
    }

    private static void leftSticky(Call call, CsApiClient user) {
        List<JsonNode> memberships = eventsOf(call, user, STICKY_TYPE);
        assertThat(memberships).as("%s joined, then left", user.userId()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(memberships.get(0).path("content").has("member")).isTrue();
        assertThat(memberships.get(memberships.size() - 1).path("content").has("member")).as("the last membership is the leave").isFalse();
    }

    @Test
    void compatibilityModeWithTheWebhook() {
        Call call = call("compatibility", "compatibility");
        assertThat(call.summary().path("afterSfuMs").asLong()).as("Bob's leave follows LiveKit's webhook at once").isBetween(0L, 5_000L);
        leftInState(call, call.bob());
        leftInState(call, call.alice());
    }

    @Test
    void matrix20ModeWithTheWebhook() {
        Call call = call("matrix_2_0", "matrix_2_0");
        assertThat(call.summary().path("afterSfuMs").asLong()).as("Bob's leave follows LiveKit's webhook at once").isBetween(0L, 5_000L);
        leftSticky(call, call.bob());
        leftSticky(call, call.alice());
    }

    @Test
    void compatibilityModeWithoutTheWebhook() throws Exception {
        startSfu(false);
        try {
            Call call = call("compatibility", "compatibility-no-webhook");
            assertThat(call.summary().path("afterSfuMs").asLong()).as("the look-up every %d s finds Bob gone", CHECK_SECONDS)
                    .isBetween(0L, CHECK_SECONDS * 1000 + 5_000);
            leftInState(call, call.bob());
        } finally {
            startSfu(true);
        }
    }
}
