package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Typing, receipts, read markers and to-device messages through /sync, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class RealtimeApiTest extends BackendSuite {
    private static final String SYNC = "/_matrix/client/v3/sync";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String q(String value) { return TestClient.seg(value); }

    private record User(String id, String token, String device) {}

    private User user(String localpart) {
        Resp r = client.register(localpart, "password-" + localpart);
        return new User(r.text("user_id"), r.text("access_token"), r.text("device_id"));
    }

    private String sharedRoom(User a, User b) {
        String roomId = client.post("/_matrix/client/v3/createRoom", a.token(), "{\"preset\":\"public_chat\"}").text("room_id");
        client.post(room(roomId) + "/join", b.token(), "{}");
        return roomId;
    }

    private String send(User u, String roomId, String body) {
        return client.put(room(roomId) + "/send/m.room.message/t" + System.nanoTime(), u.token(),
                Json.object().put("msgtype", "m.text").put("body", body)).text("event_id");
    }

    private static JsonNode ephemeral(Resp sync, String roomId, String type) {
        for (JsonNode e : sync.body().path("rooms").path("join").path(roomId).path("ephemeral").path("events")) {
            if (e.path("type").asText().equals(type)) return e;
        }
        return null;
    }

    @Test
    void typingWakesLongPollsAndExpires() throws Exception {
        User alice = user("rt_alice1");
        User bob = user("rt_bob1");
        String roomId = sharedRoom(alice, bob);
        String since = client.get(SYNC, bob.token()).text("next_batch");
        CompletableFuture<Resp> waiting = CompletableFuture.supplyAsync(
                () -> client.get(SYNC + "?timeout=20000&since=" + q(since), bob.token()));
        Thread.sleep(100);
        String typingPath = room(roomId) + "/typing/" + q(alice.id());
        assertThat(client.put(typingPath, alice.token(), "{\"typing\":true,\"timeout\":1500}").status()).isEqualTo(200);
        Resp typing = waiting.get(10, TimeUnit.SECONDS);
        assertThat(ephemeral(typing, roomId, "m.typing").path("content").path("user_ids").get(0).asText()).isEqualTo(alice.id());

        // The timeout runs out: the next long-poll hears that nobody types any more.
        Resp stopped = client.get(SYNC + "?timeout=10000&since=" + q(typing.text("next_batch")), bob.token());
        assertThat(ephemeral(stopped, roomId, "m.typing").path("content").path("user_ids").size()).isZero();

        // Bad input: someone else's typing, a non-boolean, a room one is not in.
        assertThat(client.put(typingPath, bob.token(), "{\"typing\":true}").status()).isEqualTo(403);
        assertThat(client.put(typingPath, alice.token(), "{\"typing\":\"yes\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(typingPath, alice.token(), "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.put(typingPath, alice.token(), "{\"typing\":true,\"timeout\":-1}").errcode()).isEqualTo("M_BAD_JSON");
        User carol = user("rt_carol1");
        assertThat(client.put(room(roomId) + "/typing/" + q(carol.id()), carol.token(), "{\"typing\":true}").status()).isEqualTo(403);
    }

    @Test
    void receiptsAndReadMarkers() {
        User alice = user("rt_alice2");
        User bob = user("rt_bob2");
        String roomId = sharedRoom(alice, bob);
        String first = send(alice, roomId, "one");
        String second = send(alice, roomId, "two");
        String since = client.get(SYNC, alice.token()).text("next_batch");
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + q(second), bob.token(), "{}").status()).isEqualTo(200);
        Resp sync = client.get(SYNC + "?since=" + q(since), alice.token());
        JsonNode receipt = ephemeral(sync, roomId, "m.receipt");
        assertThat(receipt.path("content").path(second).path("m.read").path(bob.id()).has("ts")).isTrue();

        // Receipts never move backwards; a private one is seen only by its owner.
        client.post(room(roomId) + "/receipt/m.read/" + q(first), bob.token(), "{}");
        client.post(room(roomId) + "/receipt/m.read.private/" + q(second), alice.token(), "{}");
        Resp later = client.get(SYNC + "?since=" + q(sync.text("next_batch")), bob.token());
        JsonNode bobView = ephemeral(later, roomId, "m.receipt");
        assertThat(bobView == null || !bobView.path("content").has(first)).isTrue();
        assertThat(bobView == null || !bobView.toString().contains("m.read.private")).isTrue();
        JsonNode aliceView = ephemeral(client.get(SYNC, alice.token()), roomId, "m.receipt");
        assertThat(aliceView.path("content").path(second).path("m.read.private").has(alice.id())).isTrue();
        assertThat(aliceView.path("content").path(second).path("m.read").has(bob.id())).isTrue();

        // Threaded receipts carry their thread.
        client.post(room(roomId) + "/receipt/m.read/" + q(second), alice.token(), "{\"thread_id\":\"main\"}");
        JsonNode threaded = ephemeral(client.get(SYNC, bob.token()), roomId, "m.receipt");
        assertThat(threaded.path("content").path(second).path("m.read").path(alice.id()).path("thread_id").asText()).isEqualTo("main");

        // Read markers: m.fully_read lands in room account data, m.read as a receipt.
        Resp markers = client.post(room(roomId) + "/read_markers", bob.token(),
                Json.object().put("m.fully_read", first).put("m.read", second));
        assertThat(markers.status()).isEqualTo(200);
        JsonNode accountData = client.get(SYNC, bob.token()).body().path("rooms").path("join").path(roomId).path("account_data");
        assertThat(accountData.toString()).contains("m.fully_read").contains(first);
        assertThat(client.get("/_matrix/client/v3/user/" + q(bob.id()) + "/rooms/" + q(roomId) + "/account_data/m.fully_read",
                bob.token()).text("event_id")).isEqualTo(first);

        // Bad input.
        assertThat(client.post(room(roomId) + "/receipt/m.unknown/" + q(second), bob.token(), "{}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + q("$nope"), bob.token(), "{}").status()).isEqualTo(404);
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + q(second), bob.token(), "{\"thread_id\":5}").errcode())
                .isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(room(roomId) + "/receipt/m.fully_read/" + q(second), bob.token(), "{\"thread_id\":\"main\"}").errcode())
                .isEqualTo("M_INVALID_PARAM");
        assertThat(client.post(room(roomId) + "/read_markers", bob.token(), "{\"m.fully_read\":7}").errcode()).isEqualTo("M_BAD_JSON");
        User carol = user("rt_carol2");
        assertThat(client.post(room(roomId) + "/receipt/m.read/" + q(second), carol.token(), "{}").status()).isEqualTo(403);
    }

    @Test
    void toDeviceMessagesAreDeliveredOnceAndKeptUntilAcknowledged() throws Exception {
        User alice = user("rt_alice3");
        User bob = user("rt_bob3");
        String since = client.get(SYNC, bob.token()).text("next_batch");
        CompletableFuture<Resp> waiting = CompletableFuture.supplyAsync(
                () -> client.get(SYNC + "?timeout=20000&since=" + q(since), bob.token()));
        Thread.sleep(100);
        String body = "{\"messages\":{\"" + bob.id() + "\":{\"" + bob.device() + "\":{\"k\":\"v1\"}}}}";
        assertThat(client.put("/_matrix/client/v3/sendToDevice/org.example.key/txn1", alice.token(), body).status()).isEqualTo(200);
        // The same transaction again is not delivered twice.
        assertThat(client.put("/_matrix/client/v3/sendToDevice/org.example.key/txn1", alice.token(), body).status()).isEqualTo(200);
        Resp got = waiting.get(10, TimeUnit.SECONDS);
        JsonNode events = got.body().path("to_device").path("events");
        assertThat(events.size()).isEqualTo(1);
        assertThat(events.get(0).path("sender").asText()).isEqualTo(alice.id());
        assertThat(events.get(0).path("type").asText()).isEqualTo("org.example.key");
        assertThat(events.get(0).path("content").path("k").asText()).isEqualTo("v1");

        // Not acknowledged yet: syncing again from the old token delivers it again.
        assertThat(client.get(SYNC + "?since=" + q(since), bob.token()).body().path("to_device").path("events").size()).isEqualTo(1);
        // Acknowledged by the later token: gone.
        Resp acked = client.get(SYNC + "?since=" + q(got.text("next_batch")), bob.token());
        assertThat(acked.body().has("to_device")).isFalse();
        assertThat(client.get(SYNC + "?since=" + q(since), bob.token()).body().has("to_device")).isFalse();

        // '*' reaches every device of the user; unknown devices and users are skipped.
        Resp second = client.login("rt_bob3", "password-rt_bob3", "SECOND");
        String all = "{\"messages\":{\"" + bob.id() + "\":{\"*\":{\"k\":\"all\"}},\"@nobody:localhost\":{\"X\":{}},"
                + "\"@remote:elsewhere.example\":{\"X\":{}}}}";
        assertThat(client.put("/_matrix/client/v3/sendToDevice/org.example.key/txn2", alice.token(), all).status()).isEqualTo(200);
        Resp onSecond = client.get(SYNC, second.text("access_token"));
        assertThat(onSecond.body().path("to_device").path("events").get(0).path("content").path("k").asText()).isEqualTo("all");
        Resp onFirst = client.get(SYNC + "?since=" + q(acked.text("next_batch")), bob.token());
        assertThat(onFirst.body().path("to_device").path("events").size()).isEqualTo(1);

        // Bad input.
        String path = "/_matrix/client/v3/sendToDevice/org.example.key/";
        assertThat(client.put(path + "b1", alice.token(), "{}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path + "b2", alice.token(), "{\"messages\":{\"not-a-user\":{\"D\":{}}}}").errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(client.put(path + "b3", alice.token(), "{\"messages\":{\"" + bob.id() + "\":{\"D\":5}}}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path + "b4", alice.token(), "{\"messages\":[]}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.put(path + "b5", alice.token(), "not json").errcode()).isEqualTo("M_NOT_JSON");
    }

    @Test
    void manyToDeviceMessagesArriveInBatches() {
        User alice = user("rt_alice4");
        User bob = user("rt_bob4");
        for (int i = 0; i < 150; i++) {
            client.put("/_matrix/client/v3/sendToDevice/org.example.burst/b" + i, alice.token(),
                    "{\"messages\":{\"" + bob.id() + "\":{\"" + bob.device() + "\":{\"n\":" + i + "}}}}");
        }
        List<Integer> seen = new ArrayList<>();
        Resp sync = client.get(SYNC, bob.token());
        for (int round = 0; round < 5 && sync.body().has("to_device"); round++) {
            sync.body().path("to_device").path("events").forEach(e -> seen.add(e.path("content").path("n").asInt()));
            sync = client.get(SYNC + "?since=" + q(sync.text("next_batch")), bob.token());
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 150; i++) expected.add(i);
        assertThat(seen).containsExactlyElementsOf(expected);
    }
}
