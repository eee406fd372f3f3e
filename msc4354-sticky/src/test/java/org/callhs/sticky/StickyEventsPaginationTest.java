package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The per-response bound on sticky events (here 3 instead of 100), across rooms and through a join
 * backlog, and a flood of sticky sends from one user, on a server with rate limiting on.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StickyEventsPaginationTest extends StickyEventsSuite {
    private static final String ONLY_EXAMPLE = "{\"room\":{\"timeline\":{\"types\":[\"io.element.example\"]}}}";

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "sticky_events.max_events_per_sync=3", "rate_limits.enabled=true",
                "rate_limits.message.per_second=0.001", "rate_limits.message.burst=12",
                "rate_limits.registration.per_second=1000", "rate_limits.registration.burst=1000",
                "rate_limits.login.per_second=1000", "rate_limits.login.burst=1000",
                "rate_limits.room_creation.per_second=1000", "rate_limits.room_creation.burst=1000",
                "rate_limits.joins.per_second=1000", "rate_limits.joins.burst=1000");
    }

    @Test
    void manyStickyEventsComeThreeAResponseInStreamOrder() {
        String alice = server.registerToken("page-alice");
        String roomId = room(alice);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) sent.add(sendSticky(alice, roomId, 300_000, "s" + i));
        JsonNode first = sync(alice, null, ONLY_EXAMPLE);
        assertThat(stickyIds(first, roomId)).containsExactlyElementsOf(sent.subList(0, 3));
        JsonNode second = sync(alice, first.path("next_batch").asText(), ONLY_EXAMPLE);
        assertThat(stickyIds(second, roomId)).containsExactlyElementsOf(sent.subList(3, 6));
        JsonNode third = sync(alice, second.path("next_batch").asText(), ONLY_EXAMPLE);
        assertThat(stickyIds(third, roomId)).containsExactlyElementsOf(sent.subList(6, 8));
        JsonNode fourth = sync(alice, third.path("next_batch").asText(), ONLY_EXAMPLE);
        assertThat(stickyIds(fourth, roomId)).isEmpty();
        assertThat(fourth.has("rooms")).as("nothing left: no rooms key").isFalse();
    }

    @Test
    void aJoinBacklogLargerThanOneResponseFollowsInTheNextResponsesThenNewEvents() {
        String alice = server.registerToken("backlog-alice");
        String carol = server.registerToken("backlog-carol");
        String roomA = room(alice);
        String roomB = room(carol);
        List<String> inA = new ArrayList<>();
        for (int i = 0; i < 4; i++) inA.add(sendSticky(alice, roomA, 300_000, "a" + i));
        List<String> inB = new ArrayList<>();
        for (int i = 0; i < 2; i++) inB.add(sendSticky(carol, roomB, 300_000, "b" + i));
        String bob = server.registerToken("backlog-bob");
        String since = sync(bob, null, ONLY_EXAMPLE).path("next_batch").asText();
        join(bob, roomA);
        join(bob, roomB);
        String newInA = sendSticky(alice, roomA, 300_000, "new");

        List<String> gotA = new ArrayList<>();
        List<String> gotB = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            JsonNode sync = sync(bob, since, ONLY_EXAMPLE);
            int count = stickyIds(sync, roomA).size() + stickyIds(sync, roomB).size();
            assertThat(count).as("at most three a response").isLessThanOrEqualTo(3);
            gotA.addAll(stickyIds(sync, roomA));
            gotB.addAll(stickyIds(sync, roomB));
            since = sync.path("next_batch").asText();
        }
        List<String> expectedA = new ArrayList<>(inA);
        expectedA.add(newInA);
        assertThat(gotA).containsExactlyElementsOf(expectedA);
        assertThat(gotB).containsExactlyElementsOf(inB);
    }

    @Test
    void aFloodOfStickySendsIsRateLimitedAndTheSyncSectionStaysBounded() {
        String mallory = server.registerToken("flood-mallory");
        String roomId = room(mallory);
        int accepted = 0;
        int limited = 0;
        for (int i = 0; i < 20; i++) {
            Resp r = client.put(rooms(roomId) + "/send/m.room.message/" + nextTxn() + "?" + STICKY + "=3600000", mallory,
                    "{\"msgtype\":\"m.text\",\"body\":\"flood\"}");
            if (r.status() == 200) {
                accepted++;
            } else {
                assertThat(r.status()).isEqualTo(429);
                assertThat(r.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
                limited++;
            }
        }
        assertThat(limited).isPositive();
        assertThat(accepted).isLessThanOrEqualTo(13);
        assertThat(stickyIds(sync(mallory, null, ONLY_EXAMPLE), roomId)).hasSize(3);
    }
}
