package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.JsSdkScripts;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.NodeJs;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The real matrix-js-sdk (the version {@code js/package-lock.json} pins) under Node 22 against the
 * homeserver: {@code js/two-users.mjs} starts two clients (memory store, no crypto) for two users
 * registered here, and everything it checks arrives through the SDK's own {@code /sync}: the invite,
 * the join, a message and a reply, a to-device message, typing on and off, and a read receipt. The
 * script prints one JSON line; this class checks it and then reads the room back over the
 * Client-Server API.
 *
 * <p>Node comes from {@code .ci/node.sh} (see {@link NodeJs}); without it the scenario fails and says
 * how to install it. {@code npm ci} runs in {@code js/} when {@code node_modules} does not match the
 * lockfile (its output: {@code target/complement-logs/js-npm-ci.log}). The script's output and the SDK's
 * logs (debug level; {@code -Dcomplement.jsLogLevel=info} for less) go to
 * {@code target/complement-logs/<deployment>/js-two-users.log}.
 */
@HomeserverScenario
class MatrixJsSdkScenario {

    private static final String PASSWORD = "js-sdk-password";
    /** Per wait inside the script; the whole script gets {@link #SCRIPT_TIMEOUT}. */
    private static final int STEP_TIMEOUT_MS = 20_000;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(150);
    /** The steps two-users.mjs reports, in order. */
    private static final List<String> STEPS = List.of("startClients", "createRoom", "inviteSeenByB", "joinRoom",
            "messageAtoB", "replyBtoA", "toDeviceAtoB", "typingAtoB", "receiptBtoA");

    @Parameter Backend backend;

    static Deployment deployment;
    static JsSdkScripts scripts;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        // Node and the SDK first: without them there is no point in starting a homeserver.
        scripts = JsSdkScripts.prepare();
        deployment = Deployment.start(backend, MatrixJsSdkScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    @Test
    void twoUsersTalkThroughTheSdksSync() {
        CsApiClient alice = hs().client().register(Names.unique("jsalice"), PASSWORD);
        CsApiClient bob = hs().client().register(Names.unique("jsbob"), PASSWORD);
        assertThat(alice.deviceId()).as("device_id from registration").isNotBlank();
        assertThat(bob.deviceId()).as("device_id from registration").isNotBlank();

        JsSdkScripts.Run run = scripts.runOk(deployment, "two-users.mjs", Json.obj(
                "baseUrl", hs().baseUrl().toString(),
                "timeoutMs", STEP_TIMEOUT_MS,
                "a", JsSdkScripts.user(alice),
                "b", JsSdkScripts.user(bob)), "js-two-users.log", SCRIPT_TIMEOUT);
        JsonNode summary = run.summary();
        String context = run.context();

        assertThat(summary.path("sdkVersion").asText()).as(context).isEqualTo(JsSdkScripts.lockedSdkVersion());
        List<String> steps = new ArrayList<>();
        summary.path("steps").fieldNames().forEachRemaining(steps::add);
        assertThat(steps).as("steps in %s", summary).containsExactlyElementsOf(STEPS);

        // What the SDK saw must be what the server stored.
        String roomId = summary.path("roomId").asText();
        String messageId = summary.path("messageId").asText();
        String replyId = summary.path("replyId").asText();
        String nonce = summary.path("nonce").asText();
        assertThat(roomId).startsWith("!");
        assertThat(Rooms.joinedRooms(alice)).contains(roomId);
        assertThat(Rooms.joinedRooms(bob)).contains(roomId);
        JsonNode message = Rooms.event(bob, roomId, messageId);
        assertThat(message.path("sender").asText()).isEqualTo(alice.userId());
        assertThat(message.path("content").path("body").asText()).isEqualTo("hello from A " + nonce);
        JsonNode reply = Rooms.event(alice, roomId, replyId);
        assertThat(reply.path("sender").asText()).isEqualTo(bob.userId());
        assertThat(reply.path("content").path("body").asText()).isEqualTo("hello from B " + nonce);
        assertThat(reply.path("content").path("m.relates_to").path("m.in_reply_to").path("event_id").asText())
                .isEqualTo(messageId);
        List<JsonNode> history = Rooms.paginateAll(alice, roomId, "f", 50);
        assertThat(Rooms.ids(history)).containsSubsequence(messageId, replyId);
    }
}
