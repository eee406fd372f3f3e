package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.StickyEventsApi.FEATURE;
import static org.callhs.complement.StickyEventsApi.ONE_HOUR;
import static org.callhs.complement.StickyEventsApi.ONLY_EXAMPLE;
import static org.callhs.complement.StickyEventsApi.SECTION;
import static org.callhs.complement.StickyEventsApi.STICKY;
import static org.callhs.complement.StickyEventsApi.TTL;
import static org.callhs.complement.StickyEventsApi.assertNoTtl;
import static org.callhs.complement.StickyEventsApi.assertStickyKey;
import static org.callhs.complement.StickyEventsApi.assertTtl;
import static org.callhs.complement.StickyEventsApi.eventually;
import static org.callhs.complement.StickyEventsApi.hasStickySection;
import static org.callhs.complement.StickyEventsApi.joined;
import static org.callhs.complement.StickyEventsApi.nextBatch;
import static org.callhs.complement.StickyEventsApi.readEvent;
import static org.callhs.complement.StickyEventsApi.room;
import static org.callhs.complement.StickyEventsApi.roomWith;
import static org.callhs.complement.StickyEventsApi.sendMessage;
import static org.callhs.complement.StickyEventsApi.sendSticky;
import static org.callhs.complement.StickyEventsApi.sleep;
import static org.callhs.complement.StickyEventsApi.stickyEvents;
import static org.callhs.complement.StickyEventsApi.stickyIds;
import static org.callhs.complement.StickyEventsApi.stickySend;
import static org.callhs.complement.StickyEventsApi.sync;
import static org.callhs.complement.StickyEventsApi.timed;
import static org.callhs.complement.StickyEventsApi.timeline;
import static org.callhs.complement.StickyEventsApi.timelineIds;
import static org.callhs.complement.StickyEventsApi.unstableFeatures;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.complement.StickyEventsApi.Sent;
import org.callhs.complement.StickyEventsApi.Timed;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * MSC4354 sticky events against the running homeserver with default options, in real time (a
 * black box has no clock to move: short durations and polling instead; the exact 59 s / 60 s
 * boundary stays with {@code msc4354-sticky}'s {@code StickyEventsApiTest}).
 *
 * <ul>
 * <li>Synapse's {@code test_sticky_events.py}: the TTL in {@code unsigned} of {@code GET /event},
 *     positive and counting down, and gone (with the key kept) once the event expired.
 * <li>Synapse's {@code test_sync_sticky_events.py} (all but the pagination case, which needs a smaller
 *     per-response bound: {@link StickyEventsLimitsScenario}): one sticky event in the initial timeline
 *     and no sticky section; a sticky event beyond the timeline limit in
 *     {@code rooms.join.<room>.msc4354_sticky.events}; one the timeline filter hides there too;
 *     ignored users' sticky events dropped; history visibility bypassed for a user who joined later.
 * <li>From the MSC: leaving ends delivery; redaction removes the key and the TTL; a long-poll whose
 *     filter hides the type wakes for a sticky event; sticky state events (Synapse 1.163 still
 *     ignores the parameter on {@code /state}; later Synapse honours it), and {@code m.room.member}
 *     through {@code /state} ignoring the parameter; a duration over 1 h kept as sent with a TTL of
 *     at most 1 h; a delayed sticky event (MSC4140 and MSC4354 on one request) reaching another
 *     user's sticky section; the advertisement; bad input (400 {@code M_INVALID_PARAM}) and
 *     authorisation (403) as for any send.
 * <li>callhs extensions, skipped against a remote server ({@code COMPLEMENT_BASE_URL}) because
 *     Synapse does not have them: the join backlog in an incremental sync, a redacted event leaving
 *     the sticky section, {@code {"rtc_transports": []}}, and the 2^53 - 1 upper bound.
 * </ul>
 */
@HomeserverScenario
class StickyEventsScenario {
    private static final String PASSWORD = "sticky-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, StickyEventsScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static CsApiClient user(String prefix) {
        return deployment.hs1().client().register(Names.unique(prefix), PASSWORD);
    }

    // ---- Synapse's test_sticky_events.py --------------------------------------------------------

    @Test
    void theEventEndpointShowsAPositiveTtlThatCountsDown() {
        CsApiClient alice = user("ttl-alice");
        String roomId = room(alice);
        Sent sent = sendSticky(alice, roomId, 60_000, "sticky");
        Timed<JsonNode> first = readEvent(alice, roomId, sent.eventId());
        assertStickyKey(first.value(), 60_000);
        assertTtl(first.value(), sent, first);
        sleep(1_100);
        Timed<JsonNode> second = readEvent(alice, roomId, sent.eventId());
        assertTtl(second.value(), sent, second);
        long firstTtl = first.value().path("unsigned").path(TTL).asLong();
        long secondTtl = second.value().path("unsigned").path(TTL).asLong();
        assertThat(firstTtl - secondTtl).as("counts down by the time between the reads").isGreaterThanOrEqualTo(second.before() - first.after());
    }

    @Test
    void theTtlIsGoneOnceTheEventExpiredAndSoIsTheStickySection() {
        CsApiClient alice = user("exp-alice");
        String roomId = room(alice);
        Sent sent = sendSticky(alice, roomId, 3_000, "short");
        Timed<JsonNode> fresh = readEvent(alice, roomId, sent.eventId());
        assertTtl(fresh.value(), sent, fresh);
        Timed<JsonNode> before = timed(() -> sync(alice, null, ONLY_EXAMPLE));
        if (before.after() < sent.earliestExpiry()) {
            assertThat(stickyIds(before.value(), roomId)).as("still sticky when the sync answered").containsExactly(sent.eventId());
            assertTtl(stickyEvents(before.value(), roomId).get(0), sent, before);
        }
        List<Timed<JsonNode>> reads = new ArrayList<>();
        eventually("the TTL is gone", () -> {
            Timed<JsonNode> read = readEvent(alice, roomId, sent.eventId());
            reads.add(read);
            return !read.value().path("unsigned").has(TTL);
        });
        for (Timed<JsonNode> read : reads.subList(0, reads.size() - 1)) assertTtl(read.value(), sent, read);
        Timed<JsonNode> expired = reads.get(reads.size() - 1);
        assertThat(expired.after()).as("not gone before the event could expire").isGreaterThanOrEqualTo(sent.earliestExpiry());
        assertNoTtl(expired.value());
        assertStickyKey(expired.value(), 3_000);
        JsonNode after = sync(alice, null, ONLY_EXAMPLE);
        assertThat(joined(after, roomId).isObject()).as("the room is in the sync: %s", after).isTrue();
        assertThat(hasStickySection(after, roomId)).as("no sticky section once expired: %s", after).isFalse();
    }

    // ---- Synapse's test_sync_sticky_events.py ---------------------------------------------------

    @Test
    void aSingleStickyEventComesInTheTimelineOfAnInitialSyncOnly() {
        CsApiClient alice = user("single-alice");
        String roomId = room(alice);
        Sent sent = sendSticky(alice, roomId, 60_000, "sticky");
        Timed<JsonNode> sync = timed(() -> sync(alice, null, null));
        JsonNode events = timeline(sync.value(), roomId);
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.path("event_id").asText()).isEqualTo(sent.eventId());
        assertStickyKey(last, 60_000);
        assertTtl(last, sent, sync);
        assertThat(hasStickySection(sync.value(), roomId)).as("deduplicated against the timeline").isFalse();
    }

    @Test
    void aStickyEventBeyondTheTimelineLimitComesInTheStickySection() {
        CsApiClient alice = user("beyond-alice");
        String roomId = room(alice);
        Sent first = sendSticky(alice, roomId, 60_000, "s1");
        List<String> normal = new ArrayList<>();
        for (int i = 0; i < 10; i++) normal.add(sendMessage(alice, roomId, "m.room.message", "n" + i));
        Sent second = sendSticky(alice, roomId, 60_000, "s2");
        Timed<JsonNode> sync = timed(() -> sync(alice, null, null));
        List<String> timelineIds = timelineIds(sync.value(), roomId);
        assertThat(timelineIds).as("the default timeline limit (10) leaves the oldest out").doesNotContain(normal.get(0), first.eventId());
        assertThat(timelineIds.get(timelineIds.size() - 1)).isEqualTo(second.eventId());
        JsonNode lastInTimeline = timeline(sync.value(), roomId).get(timelineIds.size() - 1);
        assertTtl(lastInTimeline, second, sync);
        assertThat(stickyIds(sync.value(), roomId)).containsExactly(first.eventId());
        JsonNode sticky = stickyEvents(sync.value(), roomId).get(0);
        assertTtl(sticky, first, sync);
        assertStickyKey(sticky, 60_000);
        JsonNode fromEndpoint = Rooms.event(alice, roomId, first.eventId());
        for (String field : List.of("type", "sender", "content", "origin_server_ts")) {
            assertThat(sticky.path(field)).as("%s as GET /event has it", field).isEqualTo(fromEndpoint.path(field));
        }
    }

    @Test
    void aStickyEventTheTimelineFilterHidesComesInTheStickySection() {
        CsApiClient alice = user("filtered-alice");
        String roomId = room(alice);
        Sent sticky = sendSticky(alice, roomId, 60_000, "s");
        String example = sendMessage(alice, roomId, "io.element.example", "e");
        Timed<JsonNode> sync = timed(() -> sync(alice, null, ONLY_EXAMPLE));
        assertThat(timelineIds(sync.value(), roomId)).contains(example).doesNotContain(sticky.eventId());
        assertThat(stickyIds(sync.value(), roomId)).containsExactly(sticky.eventId());
        assertTtl(stickyEvents(sync.value(), roomId).get(0), sticky, sync);
    }

    @Test
    void ignoredUsersStickyEventsAreDropped() {
        CsApiClient alice = user("ign-alice");
        CsApiClient bob = user("ign-bob");
        String roomId = room(alice, bob);
        alice.put(obj("ignored_users", obj(bob.userId(), obj())), "user", alice.userId(), "account_data", "m.ignored_user_list")
                .assertOk();
        Sent fromBob = sendSticky(bob, roomId, 60_000, "from bob");
        JsonNode sync = sync(alice, null, null);
        assertThat(timelineIds(sync, roomId)).doesNotContain(fromBob.eventId());
        assertThat(stickyIds(sync, roomId)).doesNotContain(fromBob.eventId());
        assertThat(sync(alice, null, ONLY_EXAMPLE).toString()).as("nor with the timeline filtered").doesNotContain(fromBob.eventId());
        assertThat(stickyIds(sync(bob, null, ONLY_EXAMPLE), roomId)).as("bob himself still gets it").containsExactly(fromBob.eventId());
    }

    @Test
    void historyVisibilityDoesNotApplyToStickyEvents() {
        CsApiClient alice = user("hv-alice");
        String roomId = roomWith(alice, obj("preset", "public_chat", "initial_state", List.of(obj("type", "m.room.history_visibility",
                "state_key", "", "content", obj("history_visibility", "joined")))));
        Sent sticky = sendSticky(alice, roomId, 300_000, "s");
        String normal = sendMessage(alice, roomId, "m.room.message", "m");
        CsApiClient bob = user("hv-bob");
        Rooms.join(bob, roomId);
        Timed<JsonNode> sync = timed(() -> sync(bob, null, null));
        assertThat(stickyIds(sync.value(), roomId)).containsExactly(sticky.eventId());
        assertTtl(stickyEvents(sync.value(), roomId).get(0), sticky, sync);
        assertThat(timelineIds(sync.value(), roomId)).doesNotContain(normal, sticky.eventId());
    }

    // ---- from the MSC -----------------------------------------------------------------------------

    @Test
    void aJoinInAnIncrementalSyncBringsEveryUnexpiredStickyEventOfTheRoom() {
        Deployment.skipIfRemote("checks a callhs extension: an incremental sync across a join delivers the older unexpired sticky events");
        CsApiClient alice = user("inc-alice");
        String roomId = room(alice);
        Sent early = sendSticky(alice, roomId, 300_000, "early");
        Sent expiring = sendSticky(alice, roomId, 1_000, "expiring");
        for (int i = 0; i < 12; i++) sendMessage(alice, roomId, "m.room.message", "filler " + i);
        eventually("the short one expired", () -> !Rooms.event(alice, roomId, expiring.eventId()).path("unsigned").has(TTL));
        CsApiClient bob = user("inc-bob");
        String since = nextBatch(sync(bob, null, null));
        Rooms.join(bob, roomId);
        Sent late = sendSticky(alice, roomId, 300_000, "late");
        Timed<JsonNode> sync = timed(() -> sync(bob, since, null));
        assertThat(stickyIds(sync.value(), roomId)).as("unexpired sticky events from before the join, outside the timeline")
                .containsExactly(early.eventId());
        assertTtl(stickyEvents(sync.value(), roomId).get(0), early, sync);
        assertThat(timelineIds(sync.value(), roomId)).contains(late.eventId()).doesNotContain(expiring.eventId(), early.eventId());
        JsonNode next = sync(bob, nextBatch(sync.value()), null);
        assertThat(hasStickySection(next, roomId)).as("delivered once: %s", next).isFalse();
    }

    @Test
    void aUserWhoLeftGetsNoMoreStickyEvents() {
        CsApiClient alice = user("leave-alice");
        CsApiClient bob = user("leave-bob");
        String roomId = room(alice, bob);
        Sent before = sendSticky(alice, roomId, 60_000, "before leave");
        JsonNode initial = sync(bob, null, ONLY_EXAMPLE);
        assertThat(stickyIds(initial, roomId)).as("sanity: delivered while joined").containsExactly(before.eventId());
        Rooms.leave(bob, roomId);
        Sent after = sendSticky(alice, roomId, 60_000, "after leave");
        JsonNode incremental = sync(bob, nextBatch(initial), ONLY_EXAMPLE);
        assertThat(incremental.path("rooms").path("join").has(roomId)).as("%s", incremental).isFalse();
        assertThat(incremental.toString()).doesNotContain(after.eventId());
        JsonNode fresh = sync(bob, null, ONLY_EXAMPLE);
        assertThat(fresh.path("rooms").path("join").has(roomId)).as("%s", fresh).isFalse();
        assertThat(fresh.toString()).doesNotContain(after.eventId());
    }

    @Test
    void redactionRemovesTheStickyKeyAndTheTtl() {
        CsApiClient alice = user("redact-alice");
        String roomId = room(alice);
        Sent sent = sendSticky(alice, roomId, 60_000, "to redact");
        alice.put(obj(), "rooms", roomId, "redact", sent.eventId(), Rooms.txnId()).assertOk();
        JsonNode event = Rooms.event(alice, roomId, sent.eventId());
        assertThat(event.path("unsigned").path("redacted_because").isObject()).as("redacted: %s", event).isTrue();
        assertThat(event.has(SECTION)).as("no sticky key in %s", event).isFalse();
        assertNoTtl(event);
    }

    @Test
    void aRedactedStickyEventLeavesTheStickySection() {
        Deployment.skipIfRemote("checks a callhs extension: redaction ends stickiness (Synapse keeps serving the pruned event until it expires)");
        CsApiClient alice = user("redact-sync-alice");
        CsApiClient bob = user("redact-sync-bob");
        String roomId = room(alice, bob);
        String since = nextBatch(sync(bob, null, ONLY_EXAMPLE));
        Sent sent = sendSticky(alice, roomId, 60_000, "to redact");
        assertThat(stickyIds(sync(bob, null, ONLY_EXAMPLE), roomId)).as("sanity: sticky before").containsExactly(sent.eventId());
        alice.put(obj(), "rooms", roomId, "redact", sent.eventId(), Rooms.txnId()).assertOk();
        JsonNode initial = sync(bob, null, ONLY_EXAMPLE);
        assertThat(hasStickySection(initial, roomId)).as("initial sync: %s", initial).isFalse();
        JsonNode incremental = sync(bob, since, ONLY_EXAMPLE);
        assertThat(hasStickySection(incremental, roomId)).as("incremental sync from before the send: %s", incremental).isFalse();
    }

    @Test
    void aLongPollWakesForAStickyEventItsTimelineFilterHides() throws Exception {
        CsApiClient alice = user("wake-alice");
        CsApiClient bob = user("wake-bob");
        String roomId = room(alice, bob);
        String since = nextBatch(sync(bob, null, ONLY_EXAMPLE));
        CompletableFuture<Timed<JsonNode>> poll = CompletableFuture.supplyAsync(() -> timed(() -> sync(bob, since, ONLY_EXAMPLE, 30_000)));
        sleep(500);
        assertThat(poll).as("nothing to say yet").isNotDone();
        Sent sent = sendSticky(alice, roomId, 60_000, "wake");
        Timed<JsonNode> woken = poll.get(10, TimeUnit.SECONDS);
        assertThat(woken.after() - sent.after()).as("woken at once, not at the timeout").isLessThan(10_000);
        assertThat(timelineIds(woken.value(), roomId)).doesNotContain(sent.eventId());
        assertThat(stickyIds(woken.value(), roomId)).containsExactly(sent.eventId());
        assertTtl(stickyEvents(woken.value(), roomId).get(0), sent, woken);
    }

    @Test
    void stickyStateEventsWork() {
        CsApiClient alice = user("state-alice");
        CsApiClient bob = user("state-bob");
        String roomId = room(alice, bob);
        String stateKey = "_" + alice.userId() + "_DEV_m.call";
        Timed<JsonNode> put = timed(() -> alice.request("PUT", "rooms", roomId, "state", "org.matrix.msc3401.call.member", stateKey)
                .query(STICKY, "60000").json(obj("application", "m.call")).send().assertOk());
        Sent state = new Sent(put.value().path("event_id").asText(), 60_000, put.before(), put.after());
        Timed<JsonNode> read = readEvent(alice, roomId, state.eventId());
        assertThat(read.value().path("state_key").asText()).isEqualTo(stateKey);
        assertStickyKey(read.value(), 60_000);
        assertTtl(read.value(), state, read);
        Timed<JsonNode> bobs = timed(() -> sync(bob, null, ONLY_EXAMPLE));
        assertThat(stickyIds(bobs.value(), roomId)).as("in another member's sticky section").containsExactly(state.eventId());
        assertTtl(stickyEvents(bobs.value(), roomId).get(0), state, bobs);
    }

    @Test
    void membershipThroughStateIgnoresTheParameter() {
        CsApiClient alice = user("member-alice");
        CsApiClient bob = user("member-bob");
        String roomId = room(alice, bob);
        Sent sticky = sendSticky(alice, roomId, 60_000, "sticky");
        String member = alice.request("PUT", "rooms", roomId, "state", "m.room.member", alice.userId()).query(STICKY, "60000")
                .json(obj("membership", "join", "displayname", "A")).send().assertOk().path("event_id").asText();
        JsonNode memberEvent = Rooms.event(alice, roomId, member);
        assertThat(memberEvent.path("content").path("displayname").asText()).isEqualTo("A");
        assertThat(memberEvent.has(SECTION)).as("no sticky key on a member event: %s", memberEvent).isFalse();
        assertNoTtl(memberEvent);
        assertThat(stickyIds(sync(bob, null, ONLY_EXAMPLE), roomId)).as("nor in a sticky section").containsExactly(sticky.eventId());
    }

    @Test
    void aDurationOverOneHourIsKeptAsSentAndCountsAsOneHour() {
        CsApiClient alice = user("cap-alice");
        String roomId = room(alice);
        Sent sent = sendSticky(alice, roomId, 7_200_000, "long");
        Timed<JsonNode> read = readEvent(alice, roomId, sent.eventId());
        assertStickyKey(read.value(), 7_200_000);
        assertTtl(read.value(), sent, read);
        assertThat(read.value().path("unsigned").path(TTL).asLong()).isLessThanOrEqualTo(ONE_HOUR);
    }

    @Test
    void aDelayedStickyEventIsStickyInAnotherUsersSyncOnceSent() {
        CsApiClient alice = user("delayed-alice");
        CsApiClient bob = user("delayed-bob");
        String type = "org.matrix.msc4143.rtc.member";
        String roomId = roomWith(alice, obj("preset", "public_chat", "power_level_content_override", obj("events", obj(type, 0))), bob);
        String since = nextBatch(sync(bob, null, ONLY_EXAMPLE));
        long scheduledAt = System.currentTimeMillis();
        JsonNode scheduled = alice.request("PUT", "rooms", roomId, "send", type, Rooms.txnId())
                .query(DelayedEventsApi.DELAY, "300").query(STICKY, Long.toString(ONE_HOUR))
                .json(obj("sticky_key", alice.userId() + "_DEV")).send().assertOk();
        assertThat(scheduled.path("delay_id").asText()).as("delay_id in %s", scheduled).isNotBlank();
        assertThat(scheduled.has("event_id")).as("no event_id in %s", scheduled).isFalse();
        JsonNode leave = null;
        Timed<JsonNode> sync = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (leave == null && System.nanoTime() < deadline) {
            String from = since;
            sync = timed(() -> sync(bob, from, ONLY_EXAMPLE, 5_000));
            since = nextBatch(sync.value());
            assertThat(timelineIds(sync.value(), roomId)).as("the filter hides it from the timeline").isEmpty();
            if (hasStickySection(sync.value(), roomId)) {
                assertThat(stickyEvents(sync.value(), roomId)).hasSize(1);
                leave = stickyEvents(sync.value(), roomId).get(0);
            }
        }
        assertThat(leave).as("the delayed event reached bob's sticky section").isNotNull();
        assertThat(leave.path("type").asText()).isEqualTo(type);
        assertThat(leave.path("sender").asText()).isEqualTo(alice.userId());
        assertThat(leave.path("content").path("sticky_key").asText()).isEqualTo(alice.userId() + "_DEV");
        assertThat(leave.path("origin_server_ts").asLong()).as("sent after the delay").isGreaterThanOrEqualTo(scheduledAt + 300);
        assertStickyKey(leave, ONE_HOUR);
        assertTtl(leave, scheduledAt + 300 + ONE_HOUR, sync.after() + ONE_HOUR, sync);
        eventually("the delayed event is no longer scheduled", () -> DelayedEventsApi.list(alice).isEmpty());
    }

    @Test
    void versionsAdvertiseTheFeature() {
        JsonNode features = unstableFeatures(deployment.hs1().client());
        assertThat(features.path(FEATURE).isBoolean()).as("%s", features).isTrue();
        assertThat(features.path(FEATURE).asBoolean()).isTrue();
    }

    @Test
    void withNoTransportsConfiguredTheRtcTransportListIsEmpty() {
        Deployment.skipIfRemote("checks a callhs extension: {\"rtc_transports\": []} when none is configured (Synapse answers {})");
        CsApiClient alice = user("rtc-alice");
        JsonNode body = alice.requestAt("GET", "_matrix", "client", "unstable", "org.matrix.msc4143", "rtc", "transports").send().assertOk();
        assertThat(body.path("rtc_transports").isArray()).as("%s", body).isTrue();
        assertThat(body.path("rtc_transports")).isEmpty();
        assertThat(body.size()).as("nothing else in %s", body).isEqualTo(1);
        alice.anonymous().requestAt("GET", "_matrix", "client", "unstable", "org.matrix.msc4143", "rtc", "transports").send()
                .assertError(401, "M_MISSING_TOKEN");
        JsonNode wellKnown = alice.anonymous().requestAt("GET", ".well-known", "matrix", "client").send().assertOk();
        assertThat(wellKnown.has("org.matrix.msc4143.rtc_foci")).as("%s", wellKnown).isFalse();
    }

    @Test
    void badDurationsAre400AndAStickySendIsAuthorisedAsAnyOther() {
        CsApiClient alice = user("bad-alice");
        CsApiClient bob = user("bad-bob");
        String roomId = room(alice, bob);
        for (String value : List.of("abc", "1.5", "-1", "", "1e3", "0x10")) {
            stickySend(alice, roomId, "m.room.message", value).json(obj("msgtype", "m.text", "body", "x")).send()
                    .assertError(400, "M_INVALID_PARAM");
        }
        String unknownRoom = "!nowhere-" + Names.random(8) + ":" + deployment.hs1().serverName();
        CsResponse unknown = stickySend(alice, unknownRoom, "m.room.message", "1000").json(obj("msgtype", "m.text", "body", "x")).send();
        assertThat(unknown.status()).as(unknown.describe()).isIn(403, 404);
        assertThat(unknown.errcode()).as(unknown.describe()).isIn("M_FORBIDDEN", "M_NOT_FOUND");
        bob.request("PUT", "rooms", roomId, "state", "m.room.topic", "").query(STICKY, "1000").json(obj("topic", "no")).send()
                .assertError(403, "M_FORBIDDEN");
        CsApiClient outsider = user("bad-outsider");
        stickySend(outsider, roomId, "m.room.message", "1000").json(obj("msgtype", "m.text", "body", "x")).send()
                .assertError(403, "M_FORBIDDEN");
        stickySend(alice, roomId, "m.room.message", "1000").noAuth().json(obj("msgtype", "m.text", "body", "x")).send()
                .assertError(401, "M_MISSING_TOKEN");
        assertThat(sync(bob, null, ONLY_EXAMPLE).toString()).as("none of them was sent").doesNotContain("\"topic\":\"no\"");

        JsonNode zero = stickySend(alice, roomId, "m.room.message", "0").json(obj("msgtype", "m.text", "body", "zero")).send().assertOk();
        JsonNode event = Rooms.event(alice, roomId, zero.path("event_id").asText());
        assertStickyKey(event, 0);
        assertNoTtl(event);
        assertThat(hasStickySection(sync(bob, null, ONLY_EXAMPLE), roomId)).as("0 ms is never sticky").isFalse();
    }

    @Test
    void durationsBeyondTheLargestJsonIntegerAre400() {
        Deployment.skipIfRemote("checks a callhs extension: durations over 2^53 - 1 are refused (Synapse has no upper bound)");
        CsApiClient alice = user("huge-alice");
        String roomId = room(alice);
        for (String value : List.of("9007199254740992", "9223372036854775808", "99999999999999999999999")) {
            stickySend(alice, roomId, "m.room.message", value).json(obj("msgtype", "m.text", "body", "x")).send()
                    .assertError(400, "M_INVALID_PARAM");
        }
        Sent largest = sendSticky(alice, roomId, 9_007_199_254_740_991L, "largest");
        Timed<JsonNode> read = readEvent(alice, roomId, largest.eventId());
        assertStickyKey(read.value(), 9_007_199_254_740_991L);
        assertTtl(read.value(), largest, read);
    }
}
