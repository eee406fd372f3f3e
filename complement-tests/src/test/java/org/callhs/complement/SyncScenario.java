package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * /sync against a real process: a long-poll woken by another user's message, and tokens and
 * to-device messages across a graceful stop and a kill -9 (a message stays until the device
 * syncs past it; a token from before the restart keeps working).
 */
@HomeserverScenario
class SyncScenario {
    private static final String PASSWORD = "sync-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, SyncScenario.class,
                HomeserverOptions.defaults().requiringProcessControl("restarts the homeserver between syncs"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static HomeserverProcess server() { return deployment.process1(); }

    private static CsResponse sync(CsApiClient client, String since, long timeout) {
        var request = client.request("GET", "sync").query("timeout", Long.toString(timeout));
        if (since != null) request = request.query("since", since);
        return request.send();
    }

    @Test
    void longPollWakesWhenAMessageArrives() throws Exception {
        CsApiClient alice = server().client().register(Names.unique("alice"), PASSWORD);
        CsApiClient bob = server().client().register(Names.unique("bob"), PASSWORD);
        String roomId = Rooms.create(alice, Map.of("preset", "public_chat"));
        Rooms.join(bob, roomId);
        String since = sync(bob, null, 0).assertOk().path("next_batch").asText();
        CompletableFuture<CsResponse> poll = CompletableFuture.supplyAsync(() -> sync(bob, since, 30_000));
        Thread.sleep(200);
        assertThat(poll).as("nothing to say yet").isNotDone();
        String eventId = Rooms.sendText(alice, roomId, "ping");
        JsonNode woke = poll.get(10, TimeUnit.SECONDS).assertOk();
        assertThat(woke.path("rooms").path("join").path(roomId).path("timeline").path("events").toString()).contains(eventId);
    }

    @Test
    void toDeviceMessagesAndTokensSurviveRestarts() {
        CsApiClient alice = server().client().register(Names.unique("alice"), PASSWORD);
        CsApiClient bob = server().client().register(Names.unique("bob"), PASSWORD);
        String roomId = Rooms.create(alice, Map.of("preset", "public_chat"));
        Rooms.join(bob, roomId);
        String since = sync(bob, null, 0).assertOk().path("next_batch").asText();
        alice.put(obj("messages", obj(bob.userId(), obj(bob.deviceId(), obj("n", 1)))), "sendToDevice", "org.example.k", "t1")
                .assertOk();

        server().stop();
        server().start();
        JsonNode afterStop = sync(bob, since, 0).assertOk();
        assertThat(afterStop.path("to_device").path("events").get(0).path("content").path("n").asInt()).isEqualTo(1);

        // Not acknowledged (bob never synced past it): a kill -9 keeps it, and it comes again.
        alice.put(obj("messages", obj(bob.userId(), obj(bob.deviceId(), obj("n", 2)))), "sendToDevice", "org.example.k", "t2")
                .assertOk();
        server().kill();
        server().start();
        JsonNode afterKill = sync(bob, since, 0).assertOk();
        assertThat(afterKill.path("to_device").path("events").findValuesAsText("n")).containsExactly("1", "2");

        // Syncing past them acknowledges them; later messages still flow, and so do room events.
        String acknowledged = afterKill.path("next_batch").asText();
        JsonNode clean = sync(bob, acknowledged, 0).assertOk();
        assertThat(clean.has("to_device")).isFalse();
        String eventId = Rooms.sendText(alice, roomId, "after restarts");
        JsonNode later = sync(bob, clean.path("next_batch").asText(), 10_000).assertOk();
        assertThat(later.path("rooms").path("join").path(roomId).path("timeline").path("events").toString()).contains(eventId);
    }
}
