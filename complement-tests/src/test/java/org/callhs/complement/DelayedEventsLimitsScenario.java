package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.DelayedEventsApi.DELAY;
import static org.callhs.complement.DelayedEventsApi.TYPE;
import static org.callhs.complement.DelayedEventsApi.act;
import static org.callhs.complement.DelayedEventsApi.delaySend;
import static org.callhs.complement.DelayedEventsApi.eventually;
import static org.callhs.complement.DelayedEventsApi.list;
import static org.callhs.complement.DelayedEventsApi.room;
import static org.callhs.complement.DelayedEventsApi.state;
import static org.callhs.complement.DelayedEventsApi.unstable;
import static org.callhs.complement.harness.Json.obj;

import java.util.List;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The limits on delayed events, on a homeserver started with rate limiting on (the settings of
 * {@code msc4140-delayed}'s {@code DelayedEventLimitsTest}): the per-user count limit (2) answers
 * 429 with {@code Retry-After} and {@code retry_after_ms}; management is rate limited per client
 * address without a token and per user with one (burst 2); scheduling takes message-send tokens
 * (burst 6). Registration, login and room creation are limited generously so setup never is.
 */
@HomeserverScenario
class DelayedEventsLimitsScenario {
    private static final String PASSWORD = "delayed-limits-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, DelayedEventsLimitsScenario.class, HomeserverOptions.defaults()
                .rateLimitedExceptSetup()
                .set("delayed_events.max_scheduled_per_user", "2")
                .set("delayed_events.management_rate_limit.per_second", "0.001")
                .set("delayed_events.management_rate_limit.burst", "2")
                .set("rate_limits.message.per_second", "0.001")
                .set("rate_limits.message.burst", "6"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static CsApiClient user(String prefix) {
        return deployment.hs1().client().register(Names.unique(prefix), PASSWORD);
    }

    @Test
    void overTheCountLimitIs429UntilTheNextEventIsDue() {
        CsApiClient alice = user("count-alice");
        String roomId = room(alice);
        delaySend(alice, roomId, TYPE, "a", 15_000).json(obj()).send().assertStatus(200);
        delaySend(alice, roomId, TYPE, "b", 30_000).json(obj()).send().assertStatus(200);
        CsResponse third = delaySend(alice, roomId, TYPE, "c", 1_000).json(obj()).send().assertError(429, "M_LIMIT_EXCEEDED");
        List<String> retryAfter = third.headers().allValues("Retry-After");
        assertThat(retryAfter).hasSize(1);
        assertThat(Integer.parseInt(retryAfter.get(0))).isBetween(1, 15);
        assertThat(third.json().path("retry_after_ms").asLong()).isBetween(1L, 15_000L);
        // Cancelling one makes room again.
        String first = list(alice).get(0).path("delay_id").asText();
        act(alice, first, "cancel").assertStatus(200);
        delaySend(alice, roomId, TYPE, "d", 1_000).json(obj()).send().assertStatus(200);
    }

    @Test
    void managementIsLimitedPerAddressWithoutATokenAndPerUserWithOne() {
        CsApiClient alice = user("mgmt-alice");
        String roomId = room(alice);
        String[] ids = new String[2];
        for (int i = 0; i < 2; i++) {
            ids[i] = alice.request("POST", "rooms", roomId, "send", TYPE).query(DELAY, "100000").json(obj()).send().assertOk()
                    .path("delay_id").asText();
        }
        // The address bucket (burst 2) is shared by every unauthenticated caller from here.
        CsResponse anon = null;
        for (int i = 0; i < 3; i++) anon = act(alice.anonymous(), ids[0], "restart");
        anon.assertError(429, "M_LIMIT_EXCEEDED");
        assertThat(anon.header("Retry-After")).isPresent();
        // A token moves the caller to its own bucket.
        act(alice, ids[0], "cancel").assertStatus(200);
        unstable(alice, "GET", "delayed_events").send().assertStatus(200);
        act(alice, ids[1], "cancel").assertStatus(429);
    }

    /**
     * Stronger than the module test it ports: each event is sent at once (delay 1 ms) before the
     * next is scheduled, so the count limit of 2 cannot be what stops it; the 429 must come from
     * the message bucket (burst 6, refilled in ~1000 s, hence a long {@code retry_after_ms}).
     */
    @Test
    void schedulingCountsAsMessageSends() {
        CsApiClient bob = user("sched-bob");
        String roomId = room(bob);
        int accepted = 0;
        CsResponse last = null;
        for (int i = 0; i < 8 && (last == null || last.status() == 200); i++) {
            String key = "k" + i;
            last = bob.request("PUT", "rooms", roomId, "state", TYPE, key).query(DELAY, "1").json(obj()).send();
            if (last.status() == 200) {
                accepted++;
                eventually(key + " is sent", () -> state(bob, roomId, TYPE, key).status() == 200);
            }
        }
        last.assertError(429, "M_LIMIT_EXCEEDED");
        assertThat(accepted).isBetween(3, 6);
        assertThat(last.json().path("retry_after_ms").asLong()).isGreaterThan(15_000L);
    }
}
