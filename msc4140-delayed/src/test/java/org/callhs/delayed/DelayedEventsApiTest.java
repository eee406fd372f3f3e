package org.callhs.delayed;

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

/** MSC4140 through real HTTP on SQLite and PostgreSQL: Synapse's and Complement's delayed-event cases and ours. */
@ParameterizedClass
@EnumSource(Backend.class)
class DelayedEventsApiTest extends DelayedEventsSuite {

    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend);
    }

    @Test
    void advertisesTheFeatureAndItsLimits() {
        String token = server.registerToken("adv");
        assertThat(client.get("/_matrix/client/versions", null).body().path("unstable_features").path("org.matrix.msc4140").asBoolean())
                .isTrue();
        JsonNode cap = client.get("/_matrix/client/v3/capabilities", token).body().path("capabilities")
                .path("org.matrix.msc4140.delayed_events");
        assertThat(cap.path("max_delay_ms").asLong()).isEqualTo(86_400_000L);
        assertThat(cap.path("max_scheduled").asInt()).isEqualTo(100);
    }

    @Test
    void listingIsEmptyAtFirstAndNeedsAToken() {
        String token = server.registerToken("lister");
        assertThat(scheduled(token)).isEmpty();
        assertThat(client.get(U + "/delayed_events", null).status()).isEqualTo(401);
    }

    @Test
    void delayedStateIsSentOnTimeoutWithTheDelayIdShownToTheSenderOnly() {
        String alice = server.registerToken("st-alice");
        String bob = server.registerToken("st-bob");
        String roomId = room(alice, bob);
        long before = System.currentTimeMillis();
        String delayId = delayState(alice, roomId, TYPE, "to_send_on_timeout", 900, "{\"setter\":\"on_timeout\"}");
        JsonNode list = scheduled(alice);
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
        assertThat(scheduled(bob)).isEmpty();
        assertThat(state(alice, roomId, TYPE, "to_send_on_timeout").status()).isEqualTo(404);

        eventually("the state is set", () -> state(alice, roomId, TYPE, "to_send_on_timeout").status() == 200);
        assertThat(state(alice, roomId, TYPE, "to_send_on_timeout").body().path("setter").asText()).isEqualTo("on_timeout");
        assertThat(scheduled(alice)).isEmpty();

        Resp finalised = client.get(U + "/delayed_events/" + delayId, alice);
        assertThat(finalised.status()).isEqualTo(200);
        String eventId = finalised.text("event_id");
        assertThat(eventId).startsWith("$");
        assertThat(finalised.body().path("finalised_ts").asLong()).isGreaterThanOrEqualTo(item.path("scheduled_at").asLong() + 900);
        assertThat(finalised.body().has("error")).isFalse();
        assertThat(client.get(U + "/delayed_events/" + delayId, bob).errcode()).isEqualTo("M_NOT_FOUND");

        JsonNode asAlice = client.get(rooms(roomId) + "/event/" + TestClient.seg(eventId), alice).body();
        JsonNode asBob = client.get(rooms(roomId) + "/event/" + TestClient.seg(eventId), bob).body();
        assertThat(asAlice.path("unsigned").path("org.matrix.msc4140.delay_id").asText()).isEqualTo(delayId);
        assertThat(asBob.path("unsigned").has("org.matrix.msc4140.delay_id")).isFalse();
        assertThat(asBob.path("unsigned").has("age")).isTrue();
        // Stamped with its due time, not the moment the timer ran.
        assertThat(asAlice.path("origin_server_ts").asLong()).isEqualTo(item.path("scheduled_at").asLong() + 900);
        assertThat(timelineDelayIds(alice, roomId)).containsExactly(delayId);
        assertThat(timelineDelayIds(bob, roomId)).isEmpty();
    }

    private static List<String> timelineDelayIds(String token, String roomId) {
        List<String> ids = new ArrayList<>();
        client.get("/_matrix/client/v3/sync", token).body().path("rooms").path("join").path(roomId).path("timeline").path("events")
                .forEach(e -> {
                    assertThat(e.has("unsigned")).isTrue();
                    if (e.path("unsigned").has("org.matrix.msc4140.delay_id")) ids.add(e.path("unsigned").path("org.matrix.msc4140.delay_id").asText());
                });
        return ids;
    }

    @Test
    void delayedMessagesAreSentInOrderAndTransactionRepeatsAnswerTheSameDelayId() {
        String alice = server.registerToken("msg-alice");
        String roomId = room(alice);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String path = rooms(roomId) + "/send/" + TYPE + "/txn-delayed-" + i + "?org.matrix.msc4140.delay=" + (700 + i * 100);
            Resp first = client.put(path, alice, "{\"count\":" + (i + 1) + "}");
            assertThat(first.status()).isEqualTo(200);
            ids.add(first.text("delay_id"));
            Resp again = client.put(path, alice, null);
            assertThat(again.text("delay_id")).isEqualTo(first.text("delay_id"));
        }
        assertThat(scheduled(alice)).hasSize(3);
        eventually("all three are sent", () -> scheduled(alice).isEmpty());
        List<Integer> counts = new ArrayList<>();
        client.get(rooms(roomId) + "/messages?dir=b&limit=10", alice).body().path("chunk").forEach(e -> {
            if (e.path("type").asText().equals(TYPE)) counts.add(0, e.path("content").path("count").asInt());
        });
        assertThat(counts).containsExactly(1, 2, 3);
    }

    @Test
    void theSameTransactionIdInAnotherRoomOrForAnotherTypeSchedulesAnotherEvent() {
        String alice = server.registerToken("scope-alice");
        String one = room(alice);
        String two = room(alice);
        String first = client.put(rooms(one) + "/send/" + TYPE + "/scoped?org.matrix.msc4140.delay=60000", alice, "{}").text("delay_id");
        String otherRoom = client.put(rooms(two) + "/send/" + TYPE + "/scoped?org.matrix.msc4140.delay=60000", alice, "{}").text("delay_id");
        String otherType = client.put(rooms(one) + "/send/org.example.other/scoped?org.matrix.msc4140.delay=60000", alice, "{}")
                .text("delay_id");
        assertThat(otherRoom).isNotNull().isNotEqualTo(first);
        assertThat(otherType).isNotNull().isNotEqualTo(first).isNotEqualTo(otherRoom);
        assertThat(client.put(rooms(one) + "/send/" + TYPE + "/scoped?org.matrix.msc4140.delay=60000", alice, "{}").text("delay_id"))
                .isEqualTo(first);
    }

    @Test
    void postSendWithoutTransactionIdAndTrailingSlashStateKeyCanBeDelayed() {
        String alice = server.registerToken("forms-alice");
        String roomId = room(alice);
        Resp post = client.post(rooms(roomId) + "/send/m.room.message?org.matrix.msc4140.delay=60000", alice,
                "{\"body\":\"later\",\"msgtype\":\"m.text\"}");
        assertThat(post.status()).isEqualTo(200);
        Resp topic = client.put(rooms(roomId) + "/state/m.room.topic/?org.matrix.msc4140.delay=60000", alice, "{\"topic\":\"This is a topic\"}");
        assertThat(topic.status()).isEqualTo(200);
        Resp noKey = client.put(rooms(roomId) + "/state/m.room.name?org.matrix.msc4140.delay=60000", alice, "{\"name\":\"n\"}");
        assertThat(noKey.status()).isEqualTo(200);
        JsonNode list = scheduled(alice);
        assertThat(list).hasSize(3);
        assertThat(list.get(1).path("state_key").asText()).isEmpty();
        assertThat(list.get(0).has("state_key")).isFalse();
    }

    @Test
    void delayedMemberLeaveForAnotherUserIsAKick() {
        String alice = server.registerToken("kick-alice");
        String bob = server.registerToken("kick-bob");
        String roomId = room(alice, bob);
        String bobId = client.get("/_matrix/client/v3/account/whoami", bob).text("user_id");
        delayState(alice, roomId, "m.room.member", bobId, 900, "{\"membership\":\"leave\",\"reason\":\"Delayed kick\"}");
        assertThat(state(alice, roomId, "m.room.member", bobId).body().path("membership").asText()).isEqualTo("join");
        eventually("bob is kicked", () -> state(alice, roomId, "m.room.member", bobId).body().path("membership").asText().equals("leave"));
        JsonNode member = state(alice, roomId, "m.room.member", bobId).body();
        assertThat(member.path("reason").asText()).isEqualTo("Delayed kick");
    }

    @Test
    void cancelledEventsAreNeverSentAndRetriesAnswerAsTheMscSays() {
        String alice = server.registerToken("cancel-alice");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "to_never_send", 1500, "{\"setter\":\"none\"}");
        assertThat(action(delayId, "cancel", null).status()).isEqualTo(200);
        assertThat(scheduled(alice)).isEmpty();
        assertThat(action(delayId, "cancel", null).status()).isEqualTo(200);
        assertThat(action(delayId, "restart", null).errcode()).isEqualTo("M_NOT_FOUND");
        assertThat(action(delayId, "send", alice).errcode()).isEqualTo("M_NOT_FOUND");
        sleep(1700);
        assertThat(state(alice, roomId, TYPE, "to_never_send").status()).isEqualTo(404);
        Resp finalised = client.get(U + "/delayed_events/" + delayId, alice);
        assertThat(finalised.body().has("finalised_ts")).isTrue();
        assertThat(finalised.body().has("event_id")).isFalse();
    }

    @Test
    void sendOnRequestSendsNowAndOnlyOnce() {
        String alice = server.registerToken("send-alice");
        String roomId = room(alice);
        for (String value : List.of("test", "tест")) {
            String key = "to_send_on_request_" + value.length() + value.hashCode();
            String delayId = delayState(alice, roomId, TYPE, key, 100_000, "{\"key\":\"" + value + "\"}");
            assertThat(scheduled(alice).get(0).path("content").path("key").asText()).isEqualTo(value);
            assertThat(state(alice, roomId, TYPE, key).status()).isEqualTo(404);
            assertThat(action(delayId, "send", null).status()).isEqualTo(200);
            assertThat(state(alice, roomId, TYPE, key).body().path("key").asText()).isEqualTo(value);
            assertThat(scheduled(alice)).isEmpty();
            assertThat(action(delayId, "send", null).status()).isEqualTo(200);
            assertThat(action(delayId, "cancel", null).errcode()).isEqualTo("M_NOT_FOUND");
            assertThat(action(delayId, "restart", null).errcode()).isEqualTo("M_NOT_FOUND");
        }
        JsonNode messages = client.get(rooms(roomId) + "/messages?dir=b&limit=50", alice).body().path("chunk");
        int sent = 0;
        for (JsonNode e : messages) if (e.path("type").asText().equals(TYPE)) sent++;
        assertThat(sent).isEqualTo(2);
    }

    @Test
    void restartPushesTheDueTimeBack() {
        String alice = server.registerToken("restart-alice");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "to_send_on_restarted_timeout", 1500, "{\"setter\":\"on_timeout\"}");
        sleep(1000);
        long restartedAt = System.currentTimeMillis();
        assertThat(action(delayId, "restart", null).status()).isEqualTo(200);
        sleep(1000);
        if (System.currentTimeMillis() - restartedAt < 1400) {
            assertThat(scheduled(alice)).hasSize(1);
            assertThat(state(alice, roomId, TYPE, "to_send_on_restarted_timeout").status()).isEqualTo(404);
        }
        eventually("sent after the restarted delay", () -> state(alice, roomId, TYPE, "to_send_on_restarted_timeout").status() == 200);
        JsonNode finalised = client.get(U + "/delayed_events/" + delayId, alice).body();
        assertThat(finalised.path("finalised_ts").asLong()).isGreaterThanOrEqualTo(restartedAt + 1500);
        assertThat(finalised.path("scheduled_at").asLong()).isGreaterThanOrEqualTo(restartedAt);
    }

    /**
     * Heartbeats as a busy call sends them: many at once, several for the same event, mixed with
     * another user's attempts and with token-less ones. Every owner's and token-less restart is
     * acknowledged (none lost to two transactions locking the same rows), every other user's is
     * 404, and each event still fires once, never before the last acknowledged restart's delay.
     */
    @Test
    void concurrentRestartsAreAllAcknowledgedAndNoneFiresEarly() throws Exception {
        String alice = server.registerToken("busy-alice");
        String bob = server.registerToken("busy-bob");
        String mallory = server.registerToken("busy-mallory");
        String roomId = room(alice, bob);
        long delay = 4_000;
        List<String> owners = List.of(alice, alice, alice, bob);
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < owners.size(); i++) ids.add(delayState(owners.get(i), roomId, TYPE, "busy_" + i, delay, "{\"n\":" + i + "}"));
        long[] lastAcknowledgedStart = new long[ids.size()];
        java.util.concurrent.ConcurrentLinkedQueue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 24; t++) {
                int thread = t;
                pool.submit(() -> {
                    for (int n = 0; n < 15; n++) {
                        int k = (thread + n) % ids.size();
                        String token = switch (n % 3) { case 0 -> owners.get(k); case 1 -> null; default -> mallory; };
                        long start = System.currentTimeMillis();
                        Resp r = action(ids.get(k), "restart", token);
                        int expected = token == mallory ? 404 : 200;
                        if (r.status() != expected) wrong.add(ids.get(k) + " " + r.status() + " " + r.body());
                        if (r.status() == 200) synchronized (lastAcknowledgedStart) {
                            lastAcknowledgedStart[k] = Math.max(lastAcknowledgedStart[k], start);
                        }
                    }
                });
            }
        }
        assertThat(wrong).isEmpty();
        for (int i = 0; i < ids.size(); i++) {
            int k = i;
            eventually("busy_" + k + " sent", () -> state(alice, roomId, TYPE, "busy_" + k).status() == 200);
            JsonNode finalised = client.get(U + "/delayed_events/" + ids.get(k), owners.get(k)).body();
            assertThat(finalised.path("event_id").asText()).startsWith("$");
            assertThat(finalised.path("finalised_ts").asLong()).isGreaterThanOrEqualTo(lastAcknowledgedStart[k] + delay);
        }
    }

    @Test
    void managementWorksWithAnOwnersTokenAndIsNotFoundForOtherUsers() {
        String alice = server.registerToken("own-alice");
        String mallory = server.registerToken("own-mallory");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "owned", 100_000, "{}");
        for (String act : List.of("restart", "cancel", "send")) {
            Resp r = action(delayId, act, mallory);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.errcode()).isEqualTo("M_NOT_FOUND");
        }
        assertThat(client.get(U + "/delayed_events/" + delayId, mallory).status()).isEqualTo(404);
        assertThat(action(delayId, "restart", alice).status()).isEqualTo(200);
        Resp body = client.post(U + "/delayed_events/" + delayId, alice, "{\"action\":\"restart\"}");
        assertThat(body.status()).isEqualTo(200);
        assertThat(client.post(U + "/delayed_events/" + delayId, null, "{\"action\":\"cancel\"}").status()).isEqualTo(200);
        assertThat(scheduled(alice)).isEmpty();
    }

    @Test
    void managementBadInput() {
        assertThat(client.post(U + "/delayed_events/", null, "{}").status()).isEqualTo(404);
        Resp noBody = client.post(U + "/delayed_events/abc", null, null);
        assertThat(noBody.status()).isEqualTo(400);
        assertThat(noBody.errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.post(U + "/delayed_events/abc", null, "[1]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(U + "/delayed_events/abc", null, "{").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.post(U + "/delayed_events/abc", null, "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        Resp invalid = client.post(U + "/delayed_events/abc", null, "{\"action\":\"oops\"}");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(U + "/delayed_events/abc", null, "{\"action\":1}").errcode()).isEqualTo("M_INVALID_PARAM");
        Resp unknownAction = action("abc", "oops", null);
        assertThat(unknownAction.status()).isEqualTo(404);
        assertThat(unknownAction.errcode()).isEqualTo("M_UNRECOGNIZED");
        for (String act : List.of("cancel", "restart", "send")) {
            Resp path = action("abc", act, null);
            assertThat(path.status()).isEqualTo(404);
            assertThat(path.errcode()).isEqualTo("M_NOT_FOUND");
            Resp body = client.post(U + "/delayed_events/abc", null, "{\"action\":\"" + act + "\"}");
            assertThat(body.status()).isEqualTo(404);
            assertThat(body.errcode()).isEqualTo("M_NOT_FOUND");
        }
        assertThat(action("abc", "restart", "not-a-token").status()).isEqualTo(401);
    }

    @Test
    void schedulingBadInput() {
        String alice = server.registerToken("bad-alice");
        String roomId = room(alice);
        String send = rooms(roomId) + "/send/" + TYPE + "/";
        for (String delay : List.of("abc", "-2000", "1.5", "")) {
            Resp r = client.put(send + "t" + delay.hashCode() + "?org.matrix.msc4140.delay=" + delay, alice, "{}");
            assertThat(r.status()).as(delay).isEqualTo(400);
            assertThat(r.errcode()).isEqualTo("M_INVALID_PARAM");
        }
        Resp zero = client.put(send + "zero?org.matrix.msc4140.delay=0", alice, "{}");
        assertThat(zero.status()).isEqualTo(200);
        Resp unknownRoom = client.put(rooms("!nope:localhost") + "/send/" + TYPE + "/x?org.matrix.msc4140.delay=1000", alice, "{}");
        assertThat(unknownRoom.status()).isEqualTo(404);
        assertThat(unknownRoom.errcode()).isEqualTo("M_NOT_FOUND");
        Resp tooLong = client.put(send + "long?org.matrix.msc4140.delay=86400001", alice, "{}");
        assertThat(tooLong.status()).isEqualTo(403);
        assertThat(tooLong.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(tooLong.body().path("org.matrix.msc4140.max_delay").asLong()).isEqualTo(86_400_000L);
        assertThat(client.put(send + "max?org.matrix.msc4140.delay=86400000", alice, "{}").status()).isEqualTo(200);
        Resp invalidMessage = client.put(rooms(roomId) + "/send/m.room.message/mid1?org.matrix.msc4140.delay=2000", alice, "{}");
        assertThat(invalidMessage.status()).isEqualTo(400);
        assertThat(invalidMessage.errcode()).isNotBlank();
        Resp invalidMember = client.put(rooms(roomId) + "/state/m.room.member/@x:localhost?org.matrix.msc4140.delay=2000", alice,
                "{\"membership\":\"dance\"}");
        assertThat(invalidMember.status()).isEqualTo(400);
        assertThat(client.put(send + "notjson?org.matrix.msc4140.delay=1000", alice, "{").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.put(send + "array?org.matrix.msc4140.delay=1000", alice, "[]").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(send + "anon?org.matrix.msc4140.delay=1000", null, "{}").status()).isEqualTo(401);
    }

    @Test
    void theMscSchedulingEndpointTakesDelayStateKeyAndContentInTheBody() {
        String alice = server.registerToken("msc-alice");
        String roomId = room(alice);
        String path = U + "/rooms/" + TestClient.seg(roomId) + "/delayed_event/" + TYPE + "/";
        Resp r = client.put(path + "t1", alice, "{\"delay_ms\":100000,\"state_key\":\"k\",\"content\":{\"a\":1}}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        assertThat(client.put(path + "t1", alice, "{\"delay_ms\":5,\"content\":{}}").text("delay_id")).isEqualTo(r.text("delay_id"));
        JsonNode item = scheduled(alice).get(0);
        assertThat(item.path("state_key").asText()).isEqualTo("k");
        assertThat(item.path("content").path("a").asInt()).isEqualTo(1);
        assertThat(client.put(path + "t2", alice, "{\"content\":{}}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path + "t3", alice, "{\"delay_ms\":0,\"content\":{}}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path + "t4", alice, "{\"delay_ms\":-1,\"content\":{}}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path + "t5", alice, "{\"delay_ms\":\"10\",\"content\":{}}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path + "t6", alice, "{\"delay_ms\":10}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path + "t7", alice, "{\"delay_ms\":10,\"content\":{},\"state_key\":3}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path + "t8", alice, null).errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.put(path + "t9", alice, "7").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(U + "/rooms/" + TestClient.seg("!missing:localhost") + "/delayed_event/" + TYPE + "/t10", alice,
                "{\"delay_ms\":10,\"content\":{}}").status()).isEqualTo(404);
    }

    @Test
    void ownStateDoesNotCancelButAnotherUsersStateDoes() {
        String alice = server.registerToken("ow-alice");
        String bob = server.registerToken("ow-bob");
        String roomId = room(alice, bob);
        delayState(alice, roomId, TYPE, "to_not_be_cancelled_by_same_user", 900, "{\"setter\":\"on_timeout\"}");
        assertThat(client.put(rooms(roomId) + "/state/" + TYPE + "/to_not_be_cancelled_by_same_user", alice, "{\"setter\":\"manual\"}")
                .status()).isEqualTo(200);
        assertThat(scheduled(alice)).hasSize(1);
        eventually("the delayed value wins", () -> state(alice, roomId, TYPE, "to_not_be_cancelled_by_same_user").body()
                .path("setter").asText().equals("on_timeout"));

        String cancelled = delayState(alice, roomId, TYPE, "to_be_cancelled_by_other_user", 900, "{\"setter\":\"on_timeout\"}");
        String message = client.post(rooms(roomId) + "/send/" + TYPE + "?org.matrix.msc4140.delay=900", alice, "{\"m\":1}").text("delay_id");
        assertThat(client.put(rooms(roomId) + "/state/" + TYPE + "/to_be_cancelled_by_other_user", bob, "{\"setter\":\"other_user\"}")
                .status()).isEqualTo(200);
        assertThat(scheduled(alice)).extracting(n -> n.path("delay_id").asText()).containsExactly(message);
        sleep(1300);
        assertThat(state(alice, roomId, TYPE, "to_be_cancelled_by_other_user").body().path("setter").asText()).isEqualTo("other_user");
        assertThat(client.get(U + "/delayed_events/" + cancelled, alice).body().has("event_id")).isFalse();
    }

    @Test
    void aRefusedTimeoutIsRecordedAndARefusedSendKeepsTheEventScheduled() {
        String alice = server.registerToken("refuse-alice");
        String bob = server.registerToken("refuse-bob");
        String roomId = room(alice, bob);
        String onTimeout = client.put(rooms(roomId) + "/send/" + TYPE + "/late?org.matrix.msc4140.delay=800", bob, "{}").text("delay_id");
        String onRequest = client.put(rooms(roomId) + "/send/" + TYPE + "/req?org.matrix.msc4140.delay=100000", bob, "{}").text("delay_id");
        assertThat(client.post(rooms(roomId) + "/leave", bob, "{}").status()).isEqualTo(200);
        Resp send = action(onRequest, "send", null);
        assertThat(send.status()).isEqualTo(403);
        assertThat(send.errcode()).isEqualTo("M_FORBIDDEN");
        eventually("the timed-out send is finalised", () -> client.get(U + "/delayed_events/" + onTimeout, bob).body().has("finalised_ts"));
        JsonNode failed = client.get(U + "/delayed_events/" + onTimeout, bob).body();
        assertThat(failed.path("error").path("errcode").asText()).isEqualTo("M_FORBIDDEN");
        assertThat(failed.has("event_id")).isFalse();
        assertThat(scheduled(bob)).extracting(n -> n.path("delay_id").asText()).containsExactly(onRequest);
        assertThat(action(onTimeout, "cancel", null).status()).isEqualTo(200);
        assertThat(action(onTimeout, "send", null).errcode()).isEqualTo("M_NOT_FOUND");
    }

    @Test
    void eventsDueTogetherInOneRoomAreSentTogetherAndOneRefusalHoldsNoneBack() {
        String alice = server.registerToken("mass-alice");
        String bob = server.registerToken("mass-bob");
        String roomId = room(alice, bob);
        List<String> alices = new ArrayList<>();
        String bobs = client.put(rooms(roomId) + "/send/" + TYPE + "/m-bob?org.matrix.msc4140.delay=1500", bob, "{\"n\":-1}").text("delay_id");
        for (int i = 0; i < 40; i++) {
            alices.add(client.put(rooms(roomId) + "/send/" + TYPE + "/m" + i + "?org.matrix.msc4140.delay=1500", alice, "{\"n\":" + i + "}")
                    .text("delay_id"));
        }
        assertThat(client.post(rooms(roomId) + "/leave", bob, "{}").status()).isEqualTo(200);
        eventually("all are finalised", () -> scheduled(alice).isEmpty() && scheduled(bob).isEmpty());
        assertThat(client.get(U + "/delayed_events/" + bobs, bob).body().path("error").path("errcode").asText()).isEqualTo("M_FORBIDDEN");
        List<Integer> sent = new ArrayList<>();
        client.get(rooms(roomId) + "/messages?dir=b&limit=100", alice).body().path("chunk").forEach(e -> {
            if (e.path("type").asText().equals(TYPE)) sent.add(0, e.path("content").path("n").asInt());
        });
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) expected.add(i);
        assertThat(sent).containsExactlyElementsOf(expected);
        for (String id : alices) assertThat(client.get(U + "/delayed_events/" + id, alice).text("event_id")).startsWith("$");
    }
}
