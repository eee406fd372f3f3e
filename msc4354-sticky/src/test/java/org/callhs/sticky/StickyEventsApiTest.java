package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MSC4354 over real HTTP on SQLite and PostgreSQL: the cases of Synapse's
 * {@code test_sticky_events.py} and {@code test_sync_sticky_events.py}, and the MSC's MUSTs that
 * Synapse leaves out (join backlog in an incremental sync, leave, redaction, delayed sticky).
 */
@ParameterizedClass
@EnumSource(Backend.class)
class StickyEventsApiTest extends StickyEventsSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend);
    }
    private static final String ONLY_EXAMPLE = "{\"room\":{\"timeline\":{\"types\":[\"io.element.example\"]}}}";

    @Test
    void advertisesTheFeature() {
        assertThat(client.get("/_matrix/client/versions", null).body().path("unstable_features").path("org.matrix.msc4354").asBoolean())
                .isTrue();
    }

    @Test
    void theTtlCountsDownAndDisappearsAtExpiry() {
        String alice = server.registerToken("ttl-alice");
        String roomId = room(alice);
        String id = sendSticky(alice, roomId, 60_000, "sticky");
        JsonNode event = event(alice, roomId, id);
        assertThat(event.path("msc4354_sticky").path("duration_ms").asLong()).isEqualTo(60_000);
        assertThat(event.path("unsigned").path(TTL).asLong()).isBetween(1L, 60_000L);
        clock.advance(59_000);
        assertThat(event(alice, roomId, id).path("unsigned").path(TTL).asLong()).isBetween(1L, 1_000L);
        clock.advance(1_000);
        JsonNode expired = event(alice, roomId, id);
        assertThat(expired.path("unsigned").has(TTL)).isFalse();
        assertThat(expired.path("msc4354_sticky").path("duration_ms").asLong()).as("the key stays in the PDU").isEqualTo(60_000);
    }

    @Test
    void aDurationOverOneHourIsKeptAsSentAndCountsAsOneHour() {
        String alice = server.registerToken("cap-alice");
        String roomId = room(alice);
        String id = sendSticky(alice, roomId, 7_200_000, "long");
        JsonNode event = event(alice, roomId, id);
        assertThat(event.path("msc4354_sticky").path("duration_ms").asLong()).isEqualTo(7_200_000);
        assertThat(event.path("unsigned").path(TTL).asLong()).isBetween(3_590_000L, 3_600_000L);
    }

    @Test
    void aSingleStickyEventComesInTheTimelineOfAnInitialSyncOnly() {
        String alice = server.registerToken("single-alice");
        String roomId = room(alice);
        String id = sendSticky(alice, roomId, 60_000, "sticky");
        JsonNode sync = sync(alice, null, null);
        JsonNode timeline = sync.path("rooms").path("join").path(roomId).path("timeline").path("events");
        JsonNode last = timeline.get(timeline.size() - 1);
        assertThat(last.path("event_id").asText()).isEqualTo(id);
        assertThat(last.path("unsigned").path(TTL).asLong()).isPositive();
        assertThat(sync.path("rooms").path("join").path(roomId).has("msc4354_sticky")).isFalse();
    }

    @Test
    void aStickyEventBeyondTheTimelineLimitComesInTheStickySection() {
        String alice = server.registerToken("beyond-alice");
        String roomId = room(alice);
        String first = sendSticky(alice, roomId, 60_000, "s1");
        List<String> normal = new ArrayList<>();
        for (int i = 0; i < 10; i++) normal.add(sendMessage(alice, roomId, "m.room.message", "n" + i));
        String second = sendSticky(alice, roomId, 60_000, "s2");
        JsonNode sync = sync(alice, null, null);
        List<String> timeline = timelineIds(sync, roomId);
        assertThat(timeline).doesNotContain(normal.get(0), first);
        assertThat(timeline.get(timeline.size() - 1)).isEqualTo(second);
        assertThat(stickyIds(sync, roomId)).containsExactly(first);
        assertThat(stickyEvents(sync, roomId).get(0).path("unsigned").path(TTL).asLong()).isPositive();
        assertThat(stickyEvents(sync, roomId).get(0).path("msc4354_sticky").path("duration_ms").asLong()).isEqualTo(60_000);
    }

    @Test
    void aStickyEventTheTimelineFilterHidesComesInTheStickySection() {
        String alice = server.registerToken("filtered-alice");
        String roomId = room(alice);
        String sticky = sendSticky(alice, roomId, 60_000, "s");
        String example = sendMessage(alice, roomId, "io.element.example", "e");
        JsonNode sync = sync(alice, null, ONLY_EXAMPLE);
        assertThat(timelineIds(sync, roomId)).contains(example).doesNotContain(sticky);
        assertThat(stickyIds(sync, roomId)).containsExactly(sticky);
    }

    @Test
    void ignoredUsersStickyEventsAreDropped() {
        String alice = server.registerToken("ign-alice");
        String bob = server.registerToken("ign-bob");
        String bobId = client.get("/_matrix/client/v3/account/whoami", bob).text("user_id");
        String aliceId = client.get("/_matrix/client/v3/account/whoami", alice).text("user_id");
        String roomId = room(alice, bob);
        Resp ignore = client.put("/_matrix/client/v3/user/" + TestClient.seg(aliceId) + "/account_data/m.ignored_user_list", alice,
                "{\"ignored_users\":{\"" + bobId + "\":{}}}");
        assertThat(ignore.status()).isEqualTo(200);
        String id = sendSticky(bob, roomId, 60_000, "from bob");
        JsonNode sync = sync(alice, null, null);
        assertThat(timelineIds(sync, roomId)).doesNotContain(id);
        assertThat(stickyIds(sync, roomId)).doesNotContain(id);
        assertThat(stickyIds(sync(bob, null, ONLY_EXAMPLE), roomId)).as("bob himself still gets it").containsExactly(id);
    }

    @Test
    void historyVisibilityDoesNotApplyToStickyEvents() {
        String alice = server.registerToken("hv-alice");
        String roomId = roomWith(alice, "{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":\"m.room.history_visibility\","
                + "\"state_key\":\"\",\"content\":{\"history_visibility\":\"joined\"}}]}");
        String sticky = sendSticky(alice, roomId, 300_000, "s");
        String normal = sendMessage(alice, roomId, "m.room.message", "m");
        String bob = server.registerToken("hv-bob");
        join(bob, roomId);
        JsonNode sync = sync(bob, null, null);
        assertThat(stickyIds(sync, roomId)).containsExactly(sticky);
        assertThat(timelineIds(sync, roomId)).doesNotContain(normal, sticky);
    }

    @Test
    void aJoinInAnIncrementalSyncBringsEveryUnexpiredStickyEventOfTheRoom() {
        String alice = server.registerToken("inc-alice");
        String roomId = room(alice);
        String early = sendSticky(alice, roomId, 300_000, "early");
        String expiring = sendSticky(alice, roomId, 1_000, "expiring");
        for (int i = 0; i < 12; i++) sendMessage(alice, roomId, "m.room.message", "filler " + i);
        clock.advance(2_000);
        String bob = server.registerToken("inc-bob");
        String since = sync(bob, null, null).path("next_batch").asText();
        join(bob, roomId);
        String late = sendSticky(alice, roomId, 300_000, "late");
        JsonNode sync = sync(bob, since, null);
        assertThat(stickyIds(sync, roomId)).as("unexpired sticky events from before the join, outside the timeline")
                .containsExactly(early);
        assertThat(timelineIds(sync, roomId)).contains(late).doesNotContain(expiring);
        JsonNode next = sync(bob, sync.path("next_batch").asText(), null);
        assertThat(next.path("rooms").path("join").path(roomId).has("msc4354_sticky")).as("delivered once").isFalse();
    }

    @Test
    void aUserWhoLeftGetsNoMoreStickyEvents() {
        String alice = server.registerToken("leave-alice");
        String bob = server.registerToken("leave-bob");
        String roomId = room(alice, bob);
        String since = sync(bob, null, ONLY_EXAMPLE).path("next_batch").asText();
        assertThat(client.post(rooms(roomId) + "/leave", bob, "{}").status()).isEqualTo(200);
        sendSticky(alice, roomId, 60_000, "after leave");
        JsonNode sync = sync(bob, since, ONLY_EXAMPLE);
        assertThat(sync.path("rooms").path("join").has(roomId)).isFalse();
        assertThat(sync.toString()).doesNotContain("after leave");
    }

    @Test
    void expiredStickyEventsAreNotServed() {
        String alice = server.registerToken("exp-alice");
        String roomId = room(alice);
        String id = sendSticky(alice, roomId, 2_000, "short");
        assertThat(stickyIds(sync(alice, null, ONLY_EXAMPLE), roomId)).containsExactly(id);
        clock.advance(3_000);
        JsonNode later = sync(alice, null, ONLY_EXAMPLE);
        assertThat(later.path("rooms").path("join").path(roomId).has("msc4354_sticky")).isFalse();
    }

    @Test
    void aLongPollWakesForAStickyEventItsTimelineFilterHides() throws Exception {
        String alice = server.registerToken("wake-alice");
        String roomId = room(alice);
        String since = sync(alice, null, ONLY_EXAMPLE).path("next_batch").asText();
        java.util.concurrent.CompletableFuture<JsonNode> poll =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> sync(alice, since, ONLY_EXAMPLE, 20_000));
        Thread.sleep(300);
        assertThat(poll).isNotDone();
        String id = sendSticky(alice, roomId, 60_000, "wake");
        JsonNode woken = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(stickyIds(woken, roomId)).containsExactly(id);
    }

    @Test
    void stickyStateEventsWorkAndMembershipIgnoresTheParameter() {
        String alice = server.registerToken("state-alice");
        String aliceId = client.get("/_matrix/client/v3/account/whoami", alice).text("user_id");
        String roomId = room(alice);
        Resp state = client.put(rooms(roomId) + "/state/org.matrix.msc3401.call.member/" + TestClient.seg("_" + aliceId + "_DEV_m.call")
                + "?" + STICKY + "=60000", alice, "{\"application\":\"m.call\"}");
        assertThat(state.status()).as(state.body().toString()).isEqualTo(200);
        assertThat(event(alice, roomId, state.text("event_id")).path("msc4354_sticky").path("duration_ms").asLong()).isEqualTo(60_000);
        Resp member = client.put(rooms(roomId) + "/state/m.room.member/" + TestClient.seg(aliceId) + "?" + STICKY + "=60000", alice,
                "{\"membership\":\"join\",\"displayname\":\"A\"}");
        assertThat(member.status()).as(member.body().toString()).isEqualTo(200);
        assertThat(event(alice, roomId, member.text("event_id")).has("msc4354_sticky")).isFalse();
    }

    @Test
    void redactionEndsStickiness() {
        String alice = server.registerToken("redact-alice");
        String roomId = room(alice);
        String id = sendSticky(alice, roomId, 60_000, "to redact");
        Resp redact = client.put(rooms(roomId) + "/redact/" + TestClient.seg(id) + "/" + nextTxn(), alice, "{}");
        assertThat(redact.status()).as(redact.body().toString()).isEqualTo(200);
        JsonNode event = event(alice, roomId, id);
        assertThat(event.has("msc4354_sticky")).isFalse();
        assertThat(event.path("unsigned").has(TTL)).isFalse();
        assertThat(stickyIds(sync(alice, null, ONLY_EXAMPLE), roomId)).doesNotContain(id);
    }

    @Test
    void aDelayedStickyEventIsStickyWhenItIsSent() {
        String alice = server.registerToken("delayed-alice");
        String bob = server.registerToken("delayed-bob");
        String aliceId = client.get("/_matrix/client/v3/account/whoami", alice).text("user_id");
        String roomId = roomWith(alice, "{\"preset\":\"public_chat\",\"power_level_content_override\":{\"events\":"
                + "{\"org.matrix.msc4143.rtc.member\":0}}}", bob);
        String since = sync(bob, null, ONLY_EXAMPLE).path("next_batch").asText();
        Resp scheduled = client.put(rooms(roomId) + "/send/org.matrix.msc4143.rtc.member/" + nextTxn()
                + "?org.matrix.msc4140.delay=300&" + STICKY + "=3600000", alice, "{\"sticky_key\":\"" + aliceId + "_DEV\"}");
        assertThat(scheduled.status()).as(scheduled.body().toString()).isEqualTo(200);
        assertThat(scheduled.body().has("delay_id")).isTrue();
        JsonNode leave = null;
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (leave == null && System.nanoTime() < deadline) {
            JsonNode sync = sync(bob, since, ONLY_EXAMPLE, 5_000);
            since = sync.path("next_batch").asText();
            if (stickyEvents(sync, roomId).size() > 0) leave = stickyEvents(sync, roomId).get(0);
        }
        assertThat(leave).as("the delayed event reached bob's sticky section").isNotNull();
        assertThat(leave.path("type").asText()).isEqualTo("org.matrix.msc4143.rtc.member");
        assertThat(leave.path("msc4354_sticky").path("duration_ms").asLong()).isEqualTo(3_600_000);
        assertThat(leave.path("unsigned").path(TTL).asLong()).isPositive();
    }

    @Test
    void badStickyParameters() {
        String alice = server.registerToken("bad-alice");
        String bob = server.registerToken("bad-bob");
        String roomId = room(alice, bob);
        for (String value : List.of("abc", "1.5", "-1", "", "9007199254740992", "99999999999999999999999")) {
            Resp r = client.put(rooms(roomId) + "/send/m.room.message/" + nextTxn() + "?" + STICKY + "=" + enc(value), alice,
                    "{\"msgtype\":\"m.text\",\"body\":\"x\"}");
            assertThat(r.status()).as(value).isEqualTo(400);
            assertThat(r.errcode()).as(value).isEqualTo("M_INVALID_PARAM");
        }
        Resp unknownRoom = client.put(rooms("!nowhere:localhost") + "/send/m.room.message/" + nextTxn() + "?" + STICKY + "=1000", alice,
                "{\"msgtype\":\"m.text\",\"body\":\"x\"}");
        assertThat(unknownRoom.status()).isIn(403, 404);
        assertThat(unknownRoom.errcode()).isIn("M_FORBIDDEN", "M_NOT_FOUND");
        Resp notAllowed = client.put(rooms(roomId) + "/state/m.room.topic/?" + STICKY + "=1000", bob, "{\"topic\":\"no\"}");
        assertThat(notAllowed.status()).isEqualTo(403);
        assertThat(notAllowed.errcode()).isEqualTo("M_FORBIDDEN");
        Resp zero = client.put(rooms(roomId) + "/send/m.room.message/" + nextTxn() + "?" + STICKY + "=0", alice,
                "{\"msgtype\":\"m.text\",\"body\":\"zero\"}");
        assertThat(zero.status()).isEqualTo(200);
        assertThat(event(alice, roomId, zero.text("event_id")).path("unsigned").has(TTL)).as("0 ms is never sticky").isFalse();
    }

    @Test
    void theCleanUpDeletesExpiredRowsOnly() {
        String alice = server.registerToken("clean-alice");
        String roomId = room(alice);
        sendSticky(alice, roomId, 1, "gone soon");
        clock.advance(2);
        String kept = sendSticky(alice, roomId, 60_000, "kept");
        var database = server.homeserver().database();
        var repository = new StickyEventRepository();
        StickyIndex index = new StickyIndex();
        repository.unexpired(database.dsl(), 0).forEach(index::add);
        SoftFailedStickies softFailed = new SoftFailedStickies(database, new SoftFailedStickyRepository(), () -> {
            throw new AssertionError("nothing to readmit");
        }, clock);
        new ExpiredStickyCleaner(database, repository, index, softFailed, clock).cleanOnce();
        assertThat(index.inRooms(List.of(roomId), 0, Long.MAX_VALUE, 0, 10)).extracting(StickyEventRepository.Row::eventId)
                .containsExactly(kept);
        List<StickyEventRepository.Row> rows = repository.unexpired(database.dsl(), 0).stream().filter(r -> r.roomId().equals(roomId)).toList();
        assertThat(rows).extracting(StickyEventRepository.Row::eventId).containsExactly(kept);
    }
}
