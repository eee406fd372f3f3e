package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.DelayedEventsApi.DELAY;
import static org.callhs.complement.DelayedEventsApi.TYPE;
import static org.callhs.complement.DelayedEventsApi.act;
import static org.callhs.complement.DelayedEventsApi.delaySend;
import static org.callhs.complement.DelayedEventsApi.delayState;
import static org.callhs.complement.DelayedEventsApi.eventually;
import static org.callhs.complement.DelayedEventsApi.list;
import static org.callhs.complement.DelayedEventsApi.lookup;
import static org.callhs.complement.DelayedEventsApi.room;
import static org.callhs.complement.DelayedEventsApi.sleep;
import static org.callhs.complement.DelayedEventsApi.state;
import static org.callhs.complement.DelayedEventsApi.unstable;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsRequest;
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
 * MSC4140 delayed events beyond Complement's {@code TestDelayedEvents} ({@link DelayedEventsScenario}),
 * against the running homeserver with default options: the cases of {@code msc4140-delayed}'s
 * {@code DelayedEventsApiTest} that scenario lacks. The advertisement; list items and finalised
 * records ({@code GET /delayed_events/{id}}); the delay ID in {@code unsigned} for the sender only;
 * {@code origin_server_ts} at the due time; {@code POST /send} and the empty state key; a delayed
 * kick; outcomes and repeat answers of cancel, send and restart, with and without the owner's
 * token; bad input; the MSC's {@code PUT .../delayed_event/...}; state overwrites; refused sends;
 * many events due together. Tests of callhs extensions Synapse lacks are skipped against a remote server.
 */
@HomeserverScenario
class DelayedEventsExtensionsScenario {
    private static final String PASSWORD = "delayed-ext-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, DelayedEventsExtensionsScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static CsApiClient user(String prefix) {
        return deployment.hs1().client().register(Names.unique(prefix), PASSWORD);
    }

    private static CsApiClient anonymous() {
        return deployment.hs1().client();
    }

    private static String otherRoomId(String localpart) {
        return "!" + localpart + ":" + deployment.hs1().serverName();
    }

    @Test
    void versionsAdvertiseTheFeature() {
        JsonNode versions = anonymous().requestAt("GET", "_matrix", "client", "versions").send().assertOk();
        assertThat(versions.path("unstable_features").path("org.matrix.msc4140").asBoolean()).isTrue();
    }

    @Test
    void capabilitiesCarryTheDefaultLimits() {
        Deployment.skipIfRemote("checks callhs's default limits (24 h, 100 per user)");
        JsonNode cap = user("adv").get("capabilities").assertOk().path("capabilities").path("org.matrix.msc4140.delayed_events");
        assertThat(cap.path("max_delay_ms").asLong()).isEqualTo(86_400_000L);
        assertThat(cap.path("max_scheduled").asInt()).isEqualTo(100);
    }

    @Test
    void delayedStateIsSentOnTimeoutWithTheDelayIdShownToTheSenderOnly() {
        Deployment.skipIfRemote("checks callhs extensions: the MSC's list fields (delay_ms, scheduled_at) and finalised records");
        CsApiClient alice = user("st-alice");
        CsApiClient bob = user("st-bob");
        String roomId = room(alice, bob);
        long before = System.currentTimeMillis();
        String delayId = delayState(alice, roomId, TYPE, "to_send_on_timeout", 900, obj("setter", "on_timeout"));
        JsonNode list = list(alice);
        assertThat(list).hasSize(1);
        JsonNode item = list.get(0);
        assertThat(item.path("delay_id").asText()).isEqualTo(delayId);
        assertThat(item.path("room_id").asText()).isEqualTo(roomId);
        assertThat(item.path("type").asText()).isEqualTo(TYPE);
        assertThat(item.path("state_key").asText()).isEqualTo("to_send_on_timeout");
        assertThat(item.path("delay_ms").asLong()).isEqualTo(900);
        assertThat(item.path("delay").asLong()).isEqualTo(900);
        assertThat(item.path("scheduled_at").asLong()).isBetween(before, System.currentTimeMillis());
        assertThat(item.path("running_since").asLong()).isEqualTo(item.path("scheduled_at").asLong());
        assertThat(item.path("content").toString()).isEqualTo("{\"setter\":\"on_timeout\"}");
        assertThat(list(bob)).isEmpty();
        state(alice, roomId, TYPE, "to_send_on_timeout").assertStatus(404);

        eventually("the state is set", () -> state(alice, roomId, TYPE, "to_send_on_timeout").status() == 200);
        assertThat(state(alice, roomId, TYPE, "to_send_on_timeout").assertOk().path("setter").asText()).isEqualTo("on_timeout");
        assertThat(list(alice)).isEmpty();

        JsonNode finalised = lookup(alice, delayId).assertOk();
        String eventId = finalised.path("event_id").asText();
        assertThat(eventId).startsWith("$");
        assertThat(finalised.path("finalised_ts").asLong()).isGreaterThanOrEqualTo(item.path("scheduled_at").asLong() + 900);
        assertThat(finalised.has("error")).isFalse();
        lookup(bob, delayId).assertError(404, "M_NOT_FOUND");

        JsonNode asAlice = Rooms.event(alice, roomId, eventId);
        JsonNode asBob = Rooms.event(bob, roomId, eventId);
        assertThat(asAlice.path("unsigned").path("org.matrix.msc4140.delay_id").asText()).isEqualTo(delayId);
        assertThat(asBob.path("unsigned").has("org.matrix.msc4140.delay_id")).isFalse();
        assertThat(asBob.path("unsigned").has("age")).isTrue();
        // Stamped with its due time, not the moment the timer ran.
        assertThat(asAlice.path("origin_server_ts").asLong()).isEqualTo(item.path("scheduled_at").asLong() + 900);
        assertThat(timelineDelayIds(alice, roomId)).containsExactly(delayId);
        assertThat(timelineDelayIds(bob, roomId)).isEmpty();
    }

    /** The delay IDs in {@code unsigned} of the room's timeline in an initial {@code /sync}. */
    private static List<String> timelineDelayIds(CsApiClient client, String roomId) {
        List<String> ids = new ArrayList<>();
        client.get("sync").assertOk().path("rooms").path("join").path(roomId).path("timeline").path("events").forEach(e -> {
            assertThat(e.has("unsigned")).as("unsigned in %s", e).isTrue();
            JsonNode delayId = e.path("unsigned").path("org.matrix.msc4140.delay_id");
            if (!delayId.isMissingNode()) ids.add(delayId.asText());
        });
        return ids;
    }

    @Test
    void postSendWithoutTransactionIdAndTrailingSlashStateKeyCanBeDelayed() {
        CsApiClient alice = user("forms-alice");
        String roomId = room(alice);
        alice.request("POST", "rooms", roomId, "send", "m.room.message").query(DELAY, "60000")
                .json(obj("body", "later", "msgtype", "m.text")).send().assertStatus(200);
        alice.request("PUT", "rooms", roomId, "state", "m.room.topic", "").query(DELAY, "60000")
                .json(obj("topic", "This is a topic")).send().assertStatus(200);
        alice.request("PUT", "rooms", roomId, "state", "m.room.name").query(DELAY, "60000")
                .json(obj("name", "n")).send().assertStatus(200);
        JsonNode list = list(alice);
        assertThat(list).hasSize(3);
        assertThat(list.get(1).path("state_key").asText()).isEmpty();
        assertThat(list.get(0).has("state_key")).isFalse();
    }

    @Test
    void delayedMemberLeaveForAnotherUserIsAKick() {
        CsApiClient alice = user("kick-alice");
        CsApiClient bob = user("kick-bob");
        String roomId = room(alice, bob);
        delayState(alice, roomId, "m.room.member", bob.userId(), 900, obj("membership", "leave", "reason", "Delayed kick"));
        assertThat(Rooms.state(alice, roomId, "m.room.member", bob.userId()).path("membership").asText()).isEqualTo("join");
        eventually("bob is kicked",
                () -> Rooms.state(alice, roomId, "m.room.member", bob.userId()).path("membership").asText().equals("leave"));
        assertThat(Rooms.state(alice, roomId, "m.room.member", bob.userId()).path("reason").asText()).isEqualTo("Delayed kick");
    }

    @Test
    void cancelledEventsAreNeverSentAndRetriesAnswerAsTheMscSays() {
        Deployment.skipIfRemote("checks callhs extensions: a repeated cancel answers 200, finalised records");
        CsApiClient alice = user("cancel-alice");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "to_never_send", 1500, obj("setter", "none"));
        act(anonymous(), delayId, "cancel").assertStatus(200);
        assertThat(list(alice)).isEmpty();
        act(anonymous(), delayId, "cancel").assertStatus(200);
        act(anonymous(), delayId, "restart").assertError(404, "M_NOT_FOUND");
        act(alice, delayId, "send").assertError(404, "M_NOT_FOUND");
        sleep(1700);
        state(alice, roomId, TYPE, "to_never_send").assertStatus(404);
        JsonNode finalised = lookup(alice, delayId).assertOk();
        assertThat(finalised.has("finalised_ts")).isTrue();
        assertThat(finalised.has("event_id")).isFalse();
    }

    @Test
    void sendOnRequestSendsNowAndOnlyOnce() {
        Deployment.skipIfRemote("checks a callhs extension: a repeated send answers 200");
        CsApiClient alice = user("send-alice");
        String roomId = room(alice);
        for (String value : List.of("test", "tест")) {
            String key = "to_send_on_request_" + value.length() + value.hashCode();
            String delayId = delayState(alice, roomId, TYPE, key, 100_000, obj("key", value));
            assertThat(list(alice).get(0).path("content").path("key").asText()).isEqualTo(value);
            state(alice, roomId, TYPE, key).assertStatus(404);
            act(anonymous(), delayId, "send").assertStatus(200);
            assertThat(state(alice, roomId, TYPE, key).assertOk().path("key").asText()).isEqualTo(value);
            assertThat(list(alice)).isEmpty();
            act(anonymous(), delayId, "send").assertStatus(200);
            act(anonymous(), delayId, "cancel").assertError(404, "M_NOT_FOUND");
            act(anonymous(), delayId, "restart").assertError(404, "M_NOT_FOUND");
        }
        int sent = 0;
        for (JsonNode e : Rooms.messages(alice, roomId, "b", null, 50).path("chunk")) {
            if (e.path("type").asText().equals(TYPE)) sent++;
        }
        assertThat(sent).isEqualTo(2);
    }

    /** What {@link DelayedEventsScenario} checks of a restart, plus the finalised record's times. */
    @Test
    void restartPushesTheDueTimeBack() {
        Deployment.skipIfRemote("checks a callhs extension: finalised records (scheduled_at, finalised_ts)");
        CsApiClient alice = user("restart-alice");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "to_send_on_restarted_timeout", 1500, obj("setter", "on_timeout"));
        sleep(1000);
        long restartedAt = System.currentTimeMillis();
        act(anonymous(), delayId, "restart").assertStatus(200);
        eventually("sent after the restarted delay", () -> state(alice, roomId, TYPE, "to_send_on_restarted_timeout").status() == 200);
        JsonNode finalised = lookup(alice, delayId).assertOk();
        assertThat(finalised.path("finalised_ts").asLong()).isGreaterThanOrEqualTo(restartedAt + 1500);
        assertThat(finalised.path("scheduled_at").asLong()).isGreaterThanOrEqualTo(restartedAt);
    }

    @Test
    void managementWorksWithAnOwnersTokenAndIsNotFoundForOtherUsers() {
        Deployment.skipIfRemote("checks a callhs extension: with a token, only the owner's events are found");
        CsApiClient alice = user("own-alice");
        CsApiClient mallory = user("own-mallory");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "owned", 100_000, obj());
        for (String action : List.of("restart", "cancel", "send")) act(mallory, delayId, action).assertError(404, "M_NOT_FOUND");
        lookup(mallory, delayId).assertStatus(404);
        act(alice, delayId, "restart").assertStatus(200);
        unstable(alice, "POST", "delayed_events", delayId).json(obj("action", "restart")).send().assertStatus(200);
        unstable(anonymous(), "POST", "delayed_events", delayId).json(obj("action", "cancel")).send().assertStatus(200);
        assertThat(list(alice)).isEmpty();
    }

    @Test
    void managementBadInput() {
        CsApiClient anon = anonymous();
        unstable(anon, "POST", "delayed_events", "").json(obj()).send().assertStatus(404);
        unstable(anon, "POST", "delayed_events", "abc").send().assertError(400, "M_NOT_JSON");
        unstable(anon, "POST", "delayed_events", "abc").json(List.of(1)).send().assertError(400, "M_BAD_JSON");
        unstable(anon, "POST", "delayed_events", "abc").body(bytes("{"), "application/json").send().assertError(400, "M_NOT_JSON");
        unstable(anon, "POST", "delayed_events", "abc").json(obj()).send().assertError(400, "M_MISSING_PARAM");
        unstable(anon, "POST", "delayed_events", "abc").json(obj("action", "oops")).send().assertError(400, "M_INVALID_PARAM");
        unstable(anon, "POST", "delayed_events", "abc").json(obj("action", 1)).send().assertError(400, "M_INVALID_PARAM");
        act(anon, "abc", "oops").assertError(404, "M_UNRECOGNIZED");
        for (String action : List.of("cancel", "restart", "send")) {
            act(anon, "abc", action).assertError(404, "M_NOT_FOUND");
            unstable(anon, "POST", "delayed_events", "abc").json(obj("action", action)).send().assertError(404, "M_NOT_FOUND");
        }
        unstable(anon, "POST", "delayed_events", "abc", "restart").accessToken("not-a-token").json(obj()).send().assertStatus(401);
    }

    @Test
    void schedulingBadInput() {
        Deployment.skipIfRemote("checks a callhs extension: 403 with org.matrix.msc4140.max_delay for too long a delay");
        CsApiClient alice = user("bad-alice");
        String roomId = room(alice);
        for (String delay : List.of("abc", "-2000", "1.5", "")) {
            alice.request("PUT", "rooms", roomId, "send", TYPE, "t" + delay.hashCode()).query(DELAY, delay).json(obj())
                    .send().assertError(400, "M_INVALID_PARAM");
        }
        delaySend(alice, roomId, TYPE, "zero", 0).json(obj()).send().assertStatus(200);
        delaySend(alice, otherRoomId("nope"), TYPE, "x", 1000).json(obj()).send().assertError(404, "M_NOT_FOUND");
        CsResponse tooLong = delaySend(alice, roomId, TYPE, "long", 86_400_001).json(obj()).send().assertError(403, "M_FORBIDDEN");
        assertThat(tooLong.json().path("org.matrix.msc4140.max_delay").asLong()).isEqualTo(86_400_000L);
        delaySend(alice, roomId, TYPE, "max", 86_400_000).json(obj()).send().assertStatus(200);
        CsResponse invalidMessage = delaySend(alice, roomId, "m.room.message", "mid1", 2000).json(obj()).send().assertStatus(400);
        assertThat(invalidMessage.errcode()).isNotBlank();
        alice.request("PUT", "rooms", roomId, "state", "m.room.member", "@x:" + deployment.hs1().serverName())
                .query(DELAY, "2000").json(obj("membership", "dance")).send().assertStatus(400);
        delaySend(alice, roomId, TYPE, "notjson", 1000).body(bytes("{"), "application/json").send().assertError(400, "M_NOT_JSON");
        delaySend(alice, roomId, TYPE, "array", 1000).json(List.of()).send().assertError(400, "M_BAD_JSON");
        delaySend(alice, roomId, TYPE, "anon", 1000).noAuth().json(obj()).send().assertStatus(401);
    }

    @Test
    void theMscSchedulingEndpointTakesDelayStateKeyAndContentInTheBody() {
        Deployment.skipIfRemote("checks a callhs extension: PUT /rooms/{roomId}/delayed_event/{type}/{txnId}");
        CsApiClient alice = user("msc-alice");
        String roomId = room(alice);
        JsonNode first = mscSchedule(alice, roomId, "t1").json(obj("delay_ms", 100_000, "state_key", "k", "content", obj("a", 1)))
                .send().assertOk();
        assertThat(mscSchedule(alice, roomId, "t1").json(obj("delay_ms", 5, "content", obj())).send().assertOk().path("delay_id").asText())
                .isEqualTo(first.path("delay_id").asText());
        JsonNode item = list(alice).get(0);
        assertThat(item.path("state_key").asText()).isEqualTo("k");
        assertThat(item.path("content").path("a").asInt()).isEqualTo(1);
        assertThat(mscError(alice, roomId, "t2", obj("content", obj()))).isEqualTo("M_INVALID_PARAM");
        assertThat(mscError(alice, roomId, "t3", obj("delay_ms", 0, "content", obj()))).isEqualTo("M_INVALID_PARAM");
        assertThat(mscError(alice, roomId, "t4", obj("delay_ms", -1, "content", obj()))).isEqualTo("M_INVALID_PARAM");
        assertThat(mscError(alice, roomId, "t5", obj("delay_ms", "10", "content", obj()))).isEqualTo("M_INVALID_PARAM");
        assertThat(mscError(alice, roomId, "t6", obj("delay_ms", 10))).isEqualTo("M_BAD_JSON");
        assertThat(mscError(alice, roomId, "t7", obj("delay_ms", 10, "content", obj(), "state_key", 3))).isEqualTo("M_BAD_JSON");
        assertThat(mscSchedule(alice, roomId, "t8").send().errcode()).isEqualTo("M_NOT_JSON");
        assertThat(mscError(alice, roomId, "t9", 7)).isEqualTo("M_BAD_JSON");
        mscSchedule(alice, otherRoomId("missing"), "t10").json(obj("delay_ms", 10, "content", obj())).send().assertStatus(404);
    }

    private static CsRequest mscSchedule(CsApiClient client, String roomId, String txnId) {
        return unstable(client, "PUT", "rooms", roomId, "delayed_event", TYPE, txnId);
    }

    private static String mscError(CsApiClient client, String roomId, String txnId, Object body) {
        return mscSchedule(client, roomId, txnId).json(body).send().errcode();
    }

    @Test
    void ownStateDoesNotCancelButAnotherUsersStateDoes() {
        CsApiClient alice = user("ow-alice");
        CsApiClient bob = user("ow-bob");
        String roomId = room(alice, bob);
        delayState(alice, roomId, TYPE, "to_not_be_cancelled_by_same_user", 900, obj("setter", "on_timeout"));
        Rooms.putState(alice, roomId, TYPE, "to_not_be_cancelled_by_same_user", obj("setter", "manual"));
        assertThat(list(alice)).hasSize(1);
        eventually("the delayed value wins", () -> state(alice, roomId, TYPE, "to_not_be_cancelled_by_same_user").json()
                .path("setter").asText().equals("on_timeout"));

        String cancelled = delayState(alice, roomId, TYPE, "to_be_cancelled_by_other_user", 900, obj("setter", "on_timeout"));
        String message = alice.request("POST", "rooms", roomId, "send", TYPE).query(DELAY, "900").json(obj("m", 1))
                .send().assertOk().path("delay_id").asText();
        Rooms.putState(bob, roomId, TYPE, "to_be_cancelled_by_other_user", obj("setter", "other_user"));
        assertThat(list(alice)).extracting(n -> n.path("delay_id").asText()).containsExactly(message);
        sleep(1300);
        assertThat(state(alice, roomId, TYPE, "to_be_cancelled_by_other_user").assertOk().path("setter").asText()).isEqualTo("other_user");
        assertThat(lookup(alice, cancelled).json().has("event_id")).isFalse();
    }

    @Test
    void aRefusedTimeoutIsRecordedAndARefusedSendKeepsTheEventScheduled() {
        Deployment.skipIfRemote("checks callhs extensions: a refused send keeps the event scheduled, the error in the finalised record");
        CsApiClient alice = user("refuse-alice");
        CsApiClient bob = user("refuse-bob");
        String roomId = room(alice, bob);
        String onTimeout = delaySend(bob, roomId, TYPE, "late", 800).json(obj()).send().assertOk().path("delay_id").asText();
        String onRequest = delaySend(bob, roomId, TYPE, "req", 100_000).json(obj()).send().assertOk().path("delay_id").asText();
        Rooms.leave(bob, roomId);
        act(anonymous(), onRequest, "send").assertError(403, "M_FORBIDDEN");
        eventually("the timed-out send is finalised", () -> lookup(bob, onTimeout).json().has("finalised_ts"));
        JsonNode failed = lookup(bob, onTimeout).assertOk();
        assertThat(failed.path("error").path("errcode").asText()).isEqualTo("M_FORBIDDEN");
        assertThat(failed.has("event_id")).isFalse();
        assertThat(list(bob)).extracting(n -> n.path("delay_id").asText()).containsExactly(onRequest);
        act(anonymous(), onTimeout, "cancel").assertStatus(200);
        act(anonymous(), onTimeout, "send").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void eventsDueTogetherInOneRoomAreSentTogetherAndOneRefusalHoldsNoneBack() {
        Deployment.skipIfRemote("checks a callhs extension: the error in the finalised record of a refused timeout");
        CsApiClient alice = user("mass-alice");
        CsApiClient bob = user("mass-bob");
        String roomId = room(alice, bob);
        String bobs = delaySend(bob, roomId, TYPE, "m-bob", 1500).json(obj("n", -1)).send().assertOk().path("delay_id").asText();
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            alices.add(delaySend(alice, roomId, TYPE, "m" + i, 1500).json(obj("n", i)).send().assertOk().path("delay_id").asText());
        }
        Rooms.leave(bob, roomId);
        eventually("all are finalised", () -> list(alice).isEmpty() && list(bob).isEmpty());
        assertThat(lookup(bob, bobs).json().path("error").path("errcode").asText()).isEqualTo("M_FORBIDDEN");
        List<Integer> sent = new ArrayList<>();
        Rooms.messages(alice, roomId, "b", null, 100).path("chunk").forEach(e -> {
            if (e.path("type").asText().equals(TYPE)) sent.add(0, e.path("content").path("n").asInt());
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) expected.add(i);
        assertThat(sent).containsExactlyElementsOf(expected);
        for (String id : alices) assertThat(lookup(alice, id).assertOk().path("event_id").asText()).startsWith("$");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
