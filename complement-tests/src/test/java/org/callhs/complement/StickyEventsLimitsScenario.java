package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.StickyEventsApi.ONE_HOUR;
import static org.callhs.complement.StickyEventsApi.ONLY_EXAMPLE;
import static org.callhs.complement.StickyEventsApi.nextBatch;
import static org.callhs.complement.StickyEventsApi.room;
import static org.callhs.complement.StickyEventsApi.sendSticky;
import static org.callhs.complement.StickyEventsApi.stickyIds;
import static org.callhs.complement.StickyEventsApi.stickySend;
import static org.callhs.complement.StickyEventsApi.sync;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The per-response bound on sticky events, on a homeserver started with
 * {@code sticky_events.max_events_per_sync=3} (Synapse's 100, patched to 3 in its test) and rate
 * limiting on (the settings of {@code msc4354-sticky}'s {@code StickyEventsPaginationTest}: message
 * sends burst 12, then about one every 1000 s; registration, login, room creation and joins
 * generous so setup never is limited):
 * <ul>
 * <li>Synapse's {@code test_pagination_with_many_sticky_events}: 8 sticky events come 3, 3, 2 in
 *     stream order through {@code next_batch}, and then a response without a {@code rooms} key;
 * <li>a join backlog (callhs's incremental join delivery) larger than one response, across two rooms,
 *     follows in the next responses, then the new event, each once;
 * <li>a flood of sticky sends from one user gets 429 {@code M_LIMIT_EXCEEDED} once the message bucket
 *     is empty, and what got through comes at most 3 a response, each once, in order.
 * </ul>
 * A remote server ({@code COMPLEMENT_BASE_URL}) cannot be configured like this, so it is skipped.
 */
@HomeserverScenario
class StickyEventsLimitsScenario {
    private static final String PASSWORD = "sticky-limits-password";
    private static final int MESSAGE_BURST = 12;

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, StickyEventsLimitsScenario.class, HomeserverOptions.defaults()
                .rateLimitedExceptSetup()
                .set("sticky_events.max_events_per_sync", "3")
                .set("rate_limits.message.per_second", "0.001")
                .set("rate_limits.message.burst", Integer.toString(MESSAGE_BURST)));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static CsApiClient user(String prefix) {
        return deployment.hs1().client().register(Names.unique(prefix), PASSWORD);
    }

    @Test
    void manyStickyEventsComeThreeAResponseInStreamOrder() {
        CsApiClient alice = user("page-alice");
        String roomId = room(alice);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) sent.add(sendSticky(alice, roomId, 300_000, "s" + i).eventId());
        JsonNode first = sync(alice, null, ONLY_EXAMPLE);
        assertThat(stickyIds(first, roomId)).containsExactlyElementsOf(sent.subList(0, 3));
        JsonNode second = sync(alice, nextBatch(first), ONLY_EXAMPLE);
        assertThat(stickyIds(second, roomId)).containsExactlyElementsOf(sent.subList(3, 6));
        JsonNode third = sync(alice, nextBatch(second), ONLY_EXAMPLE);
        assertThat(stickyIds(third, roomId)).containsExactlyElementsOf(sent.subList(6, 8));
        JsonNode fourth = sync(alice, nextBatch(third), ONLY_EXAMPLE);
        assertThat(stickyIds(fourth, roomId)).isEmpty();
        assertThat(fourth.has("rooms")).as("nothing left: no rooms key in %s", fourth).isFalse();
    }

    @Test
    void aJoinBacklogLargerThanOneResponseFollowsInTheNextResponsesThenNewEvents() {
        CsApiClient alice = user("backlog-alice");
        CsApiClient carol = user("backlog-carol");
        String roomA = room(alice);
        String roomB = room(carol);
        List<String> inA = new ArrayList<>();
        for (int i = 0; i < 4; i++) inA.add(sendSticky(alice, roomA, 300_000, "a" + i).eventId());
        List<String> inB = new ArrayList<>();
        for (int i = 0; i < 2; i++) inB.add(sendSticky(carol, roomB, 300_000, "b" + i).eventId());
        CsApiClient bob = user("backlog-bob");
        String since = nextBatch(sync(bob, null, ONLY_EXAMPLE));
        Rooms.join(bob, roomA);
        Rooms.join(bob, roomB);
        String newInA = sendSticky(alice, roomA, 300_000, "new").eventId();

        List<String> gotA = new ArrayList<>();
        List<String> gotB = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            JsonNode sync = sync(bob, since, ONLY_EXAMPLE);
            int count = stickyIds(sync, roomA).size() + stickyIds(sync, roomB).size();
            assertThat(count).as("at most three a response: %s", sync).isLessThanOrEqualTo(3);
            counts.add(count);
            gotA.addAll(stickyIds(sync, roomA));
            gotB.addAll(stickyIds(sync, roomB));
            since = nextBatch(sync);
        }
        List<String> expectedA = new ArrayList<>(inA);
        expectedA.add(newInA);
        assertThat(gotA).as("room A in stream order, each once").containsExactlyElementsOf(expectedA);
        assertThat(gotB).as("room B in stream order, each once").containsExactlyElementsOf(inB);
        assertThat(counts).as("full responses until the 7 events are out").startsWith(3, 3, 1).endsWith(0, 0, 0);
    }

    @Test
    void aFloodOfStickySendsIsRateLimitedAndTheSyncSectionStaysBounded() {
        CsApiClient mallory = user("flood-mallory");
        String roomId = room(mallory);
        List<String> accepted = new ArrayList<>();
        int limited = 0;
        for (int i = 0; i < 20; i++) {
            CsResponse r = stickySend(mallory, roomId, "m.room.message", Long.toString(ONE_HOUR))
                    .json(obj("msgtype", "m.text", "body", "flood " + i)).send();
            if (r.status() == 200) {
                accepted.add(r.json().path("event_id").asText());
            } else {
                r.assertError(429, "M_LIMIT_EXCEEDED");
                assertThat(r.json().path("retry_after_ms").asLong()).as(r.describe()).isPositive();
                limited++;
            }
        }
        assertThat(limited).as("some were limited").isPositive();
        assertThat(accepted.size()).as("the burst, and at most one refill").isBetween(MESSAGE_BURST, MESSAGE_BURST + 1);

        List<String> delivered = new ArrayList<>();
        String since = null;
        for (int round = 0; round < 10; round++) {
            JsonNode sync = sync(mallory, since, ONLY_EXAMPLE);
            List<String> ids = stickyIds(sync, roomId);
            assertThat(ids).as("at most three a response").hasSizeLessThanOrEqualTo(3);
            if (round == 0) assertThat(ids).as("a full first response").hasSize(3);
            delivered.addAll(ids);
            since = nextBatch(sync);
        }
        assertThat(delivered).as("every accepted event once, in order").containsExactlyElementsOf(accepted);
    }
}
