package org.callhs.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The per-user count limit, the management and scheduling rate limits, on a server with rate limiting on. */
@ParameterizedClass
@EnumSource(Backend.class)
class DelayedEventLimitsTest extends DelayedEventsSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "rate_limits.enabled=true", "delayed_events.max_scheduled_per_user=2",
                "delayed_events.management_rate_limit.per_second=0.001", "delayed_events.management_rate_limit.burst=2",
                "rate_limits.message.per_second=0.001", "rate_limits.message.burst=6",
                "rate_limits.registration.per_second=1000", "rate_limits.registration.burst=1000",
                "rate_limits.login.per_second=1000", "rate_limits.login.burst=1000",
                "rate_limits.room_creation.per_second=1000", "rate_limits.room_creation.burst=1000");
    }

    @Test
    void overTheCountLimitIs429UntilTheNextEventIsDue() {
        String alice = server.registerToken("count-alice");
        String roomId = room(alice);
        String send = rooms(roomId) + "/send/" + TYPE + "/";
        assertThat(client.put(send + "a?org.matrix.msc4140.delay=15000", alice, "{}").status()).isEqualTo(200);
        assertThat(client.put(send + "b?org.matrix.msc4140.delay=30000", alice, "{}").status()).isEqualTo(200);
        Resp third = client.put(send + "c?org.matrix.msc4140.delay=1000", alice, "{}");
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        List<String> retryAfter = third.headers().allValues("Retry-After");
        assertThat(retryAfter).hasSize(1);
        assertThat(Integer.parseInt(retryAfter.get(0))).isBetween(1, 15);
        assertThat(third.body().path("retry_after_ms").asLong()).isBetween(1L, 15_000L);
        // Cancelling one makes room again.
        String first = scheduled(alice).get(0).path("delay_id").asText();
        assertThat(action(first, "cancel", alice).status()).isEqualTo(200);
        assertThat(client.put(send + "d?org.matrix.msc4140.delay=1000", alice, "{}").status()).isEqualTo(200);
    }

    @Test
    void managementIsLimitedPerAddressWithoutATokenAndPerUserWithOne() {
        String alice = server.registerToken("mgmt-alice");
        String roomId = room(alice);
        String[] ids = new String[2];
        for (int i = 0; i < 2; i++) {
            ids[i] = client.post(rooms(roomId) + "/send/" + TYPE + "?org.matrix.msc4140.delay=100000", alice, "{}").text("delay_id");
        }
        // The address bucket (burst 2) is shared by every unauthenticated caller from here.
        Resp anon = null;
        for (int i = 0; i < 3; i++) anon = action(ids[0], "restart", null);
        assertThat(anon.status()).isEqualTo(429);
        assertThat(anon.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(anon.headers().firstValue("Retry-After")).isPresent();
        // A token moves the caller to its own bucket.
        assertThat(action(ids[0], "cancel", alice).status()).isEqualTo(200);
        assertThat(client.get(U + "/delayed_events", alice).status()).isEqualTo(200);
        assertThat(action(ids[1], "cancel", alice).status()).isEqualTo(429);
    }

    /** Each event is sent before the next is scheduled, so the count limit (2) never applies: only the message bucket can answer 429. */
    @Test
    void schedulingCountsAsMessageSends() {
        String bob = server.registerToken("sched-bob");
        String roomId = room(bob);
        int accepted = 0;
        Resp last = null;
        for (int i = 0; i < 8 && (last == null || last.status() == 200); i++) {
            String key = "k" + i;
            last = client.put(rooms(roomId) + "/state/" + TYPE + "/" + key + "?org.matrix.msc4140.delay=1", bob, "{}");
            if (last.status() == 200) {
                accepted++;
                eventually(key + " is sent", () -> state(bob, roomId, TYPE, key).status() == 200);
            }
        }
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(accepted).isBetween(3, 6);
        assertThat(last.body().path("retry_after_ms").asLong()).as("the message bucket's wait, not the count limit's").isGreaterThan(15_000L);
    }
}
