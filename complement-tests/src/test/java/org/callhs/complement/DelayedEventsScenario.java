package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.DelayedEventsApi.TYPE;
import static org.callhs.complement.DelayedEventsApi.act;
import static org.callhs.complement.DelayedEventsApi.delaySend;
import static org.callhs.complement.DelayedEventsApi.eventually;
import static org.callhs.complement.DelayedEventsApi.list;
import static org.callhs.complement.DelayedEventsApi.room;
import static org.callhs.complement.DelayedEventsApi.state;
import static org.callhs.complement.DelayedEventsApi.unstable;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * MSC4140 delayed events against the running homeserver, case for case as Complement's
 * {@code TestDelayedEvents} checks them: management calls go through an unauthenticated client,
 * list checks are retried briefly, and scheduled events are kept across a restart (the one
 * case that needs process control).
 */
@HomeserverScenario
class DelayedEventsScenario {
    private static final String PASSWORD = "delayed-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, DelayedEventsScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private record Setup(CsApiClient user, CsApiClient user2, CsApiClient anonymous, String roomId) {}

    private static Setup setup() {
        CsApiClient user = deployment.hs1().client().register(Names.unique("delayer"), PASSWORD);
        CsApiClient user2 = deployment.hs1().client().register(Names.unique("delayer2"), PASSWORD);
        return new Setup(user, user2, user.anonymous(), room(user, user2));
    }

    private static void awaitListSize(CsApiClient client, int size) {
        eventually("the list has " + size, () -> list(client).size() == size);
    }

    private static String delayState(CsApiClient client, String roomId, String key, long delay, Object content) {
        return DelayedEventsApi.delayState(client, roomId, TYPE, key, delay, content);
    }

    private static CsResponse getState(CsApiClient client, String roomId, String key) {
        return state(client, roomId, TYPE, key);
    }

    @Test
    void emptyOnStartupAndLookupsAreAuthenticated() {
        Setup s = setup();
        assertThat(list(s.user())).isEmpty();
        unstable(s.anonymous(), "GET", "delayed_events").send().assertStatus(401);
    }

    @Test
    void delayedMessageEventsAreSentOnTimeout() {
        Setup s = setup();
        String since = s.user().request("GET", "sync").send().assertOk().path("next_batch").asText();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String txn = "txn-delayed-msg-timeout-" + i + "-" + Names.random(6);
            String delayId = delaySend(s.user(), s.roomId(), TYPE, txn, 700 + 100 * i).json(obj("count", i + 1)).send().assertOk()
                    .path("delay_id").asText();
            assertThat(delayId).isNotBlank();
            ids.add(delayId);
            String again = delaySend(s.user(), s.roomId(), TYPE, txn, 700 + 100 * i).send().assertOk().path("delay_id").asText();
            assertThat(again).as("a repeated transaction answers the same delay ID").isEqualTo(delayId);
        }
        awaitListSize(s.user(), 3);
        assertThat(list(s.user2())).isEmpty();
        awaitListSize(s.user(), 0);
        JsonNode chunk = s.user().request("GET", "rooms", s.roomId(), "messages").query("dir", "f").query("from", since)
                .send().assertOk().path("chunk");
        List<Integer> counts = new ArrayList<>();
        for (JsonNode event : chunk) {
            assertThat(event.path("type").asText()).isEqualTo(TYPE);
            assertThat(event.path("content").size()).isEqualTo(1);
            counts.add(event.path("content").path("count").asInt());
        }
        assertThat(counts).containsExactly(1, 2, 3);
    }

    @Test
    void delayedStateEventsAreSentOnTimeout() {
        Setup s = setup();
        delayState(s.user(), s.roomId(), "to_send_on_timeout", 900, obj("setter", "on_timeout"));
        awaitListSize(s.user(), 1);
        JsonNode item = list(s.user()).get(0);
        assertThat(item.path("content").size()).isEqualTo(1);
        assertThat(item.path("content").path("setter").asText()).isEqualTo("on_timeout");
        getState(s.user(), s.roomId(), "to_send_on_timeout").assertStatus(404);
        eventually("the state is set", () -> getState(s.user(), s.roomId(), "to_send_on_timeout").status() == 200);
        JsonNode state = s.user().request("GET", "sync").send().assertOk().path("rooms").path("join").path(s.roomId());
        assertThat(state.toString()).contains("to_send_on_timeout");
        assertThat(getState(s.user(), s.roomId(), "to_send_on_timeout").assertOk().path("setter").asText()).isEqualTo("on_timeout");
        awaitListSize(s.user(), 0);
    }

    @Test
    void updatesNeedAKnownActionAndAMatchingDelayId() {
        Setup s = setup();
        CsResponse noAction = unstable(s.anonymous(), "POST", "delayed_events", "abc").json(obj()).send();
        assertThat(noAction.status()).isBetween(400, 499);
        noAction.assertError(400, "M_MISSING_PARAM");
        act(s.anonymous(), "abc", "oops").assertStatus(404);
        for (String action : List.of("cancel", "restart", "send")) act(s.anonymous(), "abc", action).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void delayedStateEventsCanBeCancelled() throws Exception {
        Setup s = setup();
        String delayId = delayState(s.user(), s.roomId(), "to_never_send", 1500, obj("setter", "none"));
        Thread.sleep(1000);
        awaitListSize(s.user(), 1);
        getState(s.user(), s.roomId(), "to_never_send").assertStatus(404);
        act(s.anonymous(), delayId, "cancel").assertOk();
        awaitListSize(s.user(), 0);
        Thread.sleep(1000);
        getState(s.user(), s.roomId(), "to_never_send").assertStatus(404);
    }

    @Test
    void delayedStateEventsCanBeSentOnRequest() throws Exception {
        Setup s = setup();
        String delayId = delayState(s.user(), s.roomId(), "to_send_on_request", 100_000, obj("setter", "on_send"));
        Thread.sleep(1000);
        awaitListSize(s.user(), 1);
        getState(s.user(), s.roomId(), "to_send_on_request").assertStatus(404);
        act(s.anonymous(), delayId, "send").assertOk();
        assertThat(s.user().request("GET", "sync").send().assertOk().path("rooms").path("join").path(s.roomId()).toString())
                .contains("to_send_on_request");
        assertThat(getState(s.user(), s.roomId(), "to_send_on_request").assertOk().path("setter").asText()).isEqualTo("on_send");
        awaitListSize(s.user(), 0);
    }

    @Test
    void delayedStateEventsCanBeRestarted() throws Exception {
        Setup s = setup();
        String delayId = delayState(s.user(), s.roomId(), "to_send_on_restarted_timeout", 1500, obj("setter", "on_timeout"));
        Thread.sleep(1000);
        long restarted = System.currentTimeMillis();
        act(s.anonymous(), delayId, "restart").assertOk();
        Thread.sleep(1000);
        if (System.currentTimeMillis() - restarted < 1450) {
            assertThat(list(s.user())).hasSize(1);
            getState(s.user(), s.roomId(), "to_send_on_restarted_timeout").assertStatus(404);
        }
        eventually("sent after the restarted delay", () -> getState(s.user(), s.roomId(), "to_send_on_restarted_timeout").status() == 200);
        assertThat(getState(s.user(), s.roomId(), "to_send_on_restarted_timeout").assertOk().path("setter").asText()).isEqualTo("on_timeout");
        awaitListSize(s.user(), 0);
    }

    @Test
    void delayedStateEventsAreKeptOnServerRestart() throws Exception {
        deployment.requireProcessControl("stops and starts the homeserver");
        Setup s = setup();
        delayState(s.user(), s.roomId(), "1", 900, obj());
        delayState(s.user(), s.roomId(), "2", 5_000, obj());
        delayState(s.user(), s.roomId(), "3", 120_000, obj());
        awaitListSize(s.user(), 3);
        deployment.process1().stop();
        Thread.sleep(1000);
        deployment.process1().start();
        // Overdue while down: sent at once after the start.
        eventually("the overdue event is sent", () -> getState(s.user(), s.roomId(), "1").status() == 200);
        assertThat(list(s.user()).size()).isBetween(1, 2);
        eventually("the next one still fires on schedule", () -> getState(s.user(), s.roomId(), "2").status() == 200);
        JsonNode left = list(s.user());
        assertThat(left).hasSize(1);
        assertThat(left.get(0).path("state_key").asText()).isEqualTo("3");
    }
}
