package org.callhs.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances of one homeserver in cluster mode on one PostgreSQL database: a user on each,
 * what one writes seen by the other's syncs (long-polls woken across instances), a room written
 * by both at once stays one chain, and a sync token from one instance continues on the other.
 */
class ClusterTest {
    private static final String SYNC = "/_matrix/client/v3/sync";
    private static List<TestServer> cluster;
    private static TestClient a;
    private static TestClient b;

    @BeforeAll
    static void start() {
        cluster = TestServer.startCluster(2, List.of());
        a = cluster.get(0).client();
        b = cluster.get(1).client();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.forEach(TestServer::close);
    }

    private record User(String id, String token, String device) {}

    /** Registers on instance A, logs in on {@code on}: an account made by one instance is everyone's. */
    private static User user(String localpart, TestClient on) {
        assertThat(a.register(localpart, "password-" + localpart).status()).isEqualTo(200);
        Resp login = on.login(localpart, "password-" + localpart, null);
        assertThat(login.status()).as(login.body().toString()).isEqualTo(200);
        return new User(login.text("user_id"), login.text("access_token"), login.text("device_id"));
    }

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String q(String value) { return TestClient.seg(value); }

    private static List<String> timelineBodies(Resp sync, String roomId) {
        List<String> bodies = new ArrayList<>();
        for (JsonNode e : sync.body().path("rooms").path("join").path(roomId).path("timeline").path("events")) {
            if (e.path("type").asText().equals("m.room.message")) bodies.add(e.path("content").path("body").asText());
        }
        return bodies;
    }

    /** A public room alice created through A and bob joined through B. */
    private static String sharedRoom(User alice, User bob) {
        String roomId = a.post("/_matrix/client/v3/createRoom", alice.token(), "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(b.post(room(roomId) + "/join", bob.token(), Json.object()).status()).isEqualTo(200);
        return roomId;
    }

    /** A long-poll of {@code user} on {@code on} from {@code since}, given 200 ms to register before this returns. */
    private static CompletableFuture<Resp> longPoll(TestClient on, User user, String since) throws InterruptedException {
        CompletableFuture<Resp> waiting = CompletableFuture.supplyAsync(() -> on.get(SYNC + "?timeout=30000&since=" + q(since), user.token()));
        Thread.sleep(200);
        return waiting;
    }

    @Test
    void aLongPollOnOneInstanceWakesForASendOnTheOther() throws Exception {
        User alice = user("cl_alice1", a);
        User bob = user("cl_bob1", b);
        String roomId = sharedRoom(alice, bob);
        CompletableFuture<Resp> waiting = longPoll(b, bob, b.get(SYNC + "?timeout=0", bob.token()).text("next_batch"));
        assertThat(a.put(room(roomId) + "/send/m.room.message/t1", alice.token(),
                Json.object().put("msgtype", "m.text").put("body", "from A")).status()).isEqualTo(200);
        Resp woke = waiting.get(20, TimeUnit.SECONDS);
        assertThat(timelineBodies(woke, roomId)).containsExactly("from A");

        // And the other way: alice's long-poll on A wakes for bob's send on B.
        CompletableFuture<Resp> aliceWaiting = longPoll(a, alice, a.get(SYNC + "?timeout=0", alice.token()).text("next_batch"));
        assertThat(b.put(room(roomId) + "/send/m.room.message/t2", bob.token(),
                Json.object().put("msgtype", "m.text").put("body", "from B")).status()).isEqualTo(200);
        assertThat(timelineBodies(aliceWaiting.get(20, TimeUnit.SECONDS), roomId)).containsExactly("from B");
    }

    private static List<String> typists(Resp sync, String roomId) {
        for (JsonNode e : sync.body().path("rooms").path("join").path(roomId).path("ephemeral").path("events")) {
            if (e.path("type").asText().equals("m.typing")) {
                List<String> ids = new ArrayList<>();
                e.path("content").path("user_ids").forEach(u -> ids.add(u.asText()));
                return ids;
            }
        }
        return null;
    }

    @Test
    void typingOnOneInstanceWakesAndShowsOnTheOtherAndATokenKeepsItsMeaning() throws Exception {
        User alice = user("cl_alice_t", a);
        User bob = user("cl_bob_t", b);
        String roomId = sharedRoom(alice, bob);
        CompletableFuture<Resp> waiting = longPoll(b, bob, b.get(SYNC + "?timeout=0", bob.token()).text("next_batch"));
        String typing = room(roomId) + "/typing/" + q(alice.id());
        assertThat(a.put(typing, alice.token(), "{\"typing\":true,\"timeout\":30000}").status()).isEqualTo(200);
        Resp woke = waiting.get(20, TimeUnit.SECONDS);
        assertThat(typists(woke, roomId)).as("bob, on B, sees alice typing on A").containsExactly(alice.id());

        // B's token, used on A, does not bring the same typing again; A's stop reaches B.
        String next = woke.text("next_batch");
        assertThat(typists(a.get(SYNC + "?timeout=0&since=" + q(next), bob.token()), roomId)).as("nothing new on A").isNull();
        CompletableFuture<Resp> stopWaiting = longPoll(b, bob, next);
        assertThat(a.put(typing, alice.token(), "{\"typing\":false}").status()).isEqualTo(200);
        assertThat(typists(stopWaiting.get(20, TimeUnit.SECONDS), roomId)).as("alice stopped").isEmpty();
    }

    @Test
    void toDeviceMessagesSentOnOneInstanceWakeTheRecipientOnTheOther() throws Exception {
        User alice = user("cl_alice2", a);
        User bob = user("cl_bob2", b);
        CompletableFuture<Resp> waiting = longPoll(b, bob, b.get(SYNC + "?timeout=0", bob.token()).text("next_batch"));
        String body = "{\"messages\":{\"" + bob.id() + "\":{\"" + bob.device() + "\":{\"k\":\"across\"}}}}";
        assertThat(a.put("/_matrix/client/v3/sendToDevice/org.example.key/c1", alice.token(), body).status()).isEqualTo(200);
        JsonNode events = waiting.get(20, TimeUnit.SECONDS).body().path("to_device").path("events");
        assertThat(events.size()).isEqualTo(1);
        assertThat(events.get(0).path("content").path("k").asText()).isEqualTo("across");
    }

    @Test
    void aLogoutOnOneInstanceEndsTheTokenOnTheOther() throws Exception {
        User carol = user("cl_carol", b);
        assertThat(b.get("/_matrix/client/v3/account/whoami", carol.token()).status()).isEqualTo(200);
        assertThat(a.get("/_matrix/client/v3/account/whoami", carol.token()).status()).isEqualTo(200);
        assertThat(a.post("/_matrix/client/v3/logout", carol.token(), Json.object()).status()).isEqualTo(200);
        assertThat(a.get("/_matrix/client/v3/account/whoami", carol.token()).status()).isEqualTo(401);
        // B's cached token goes when A's eviction arrives over the bus: milliseconds, bounded here by 5 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Resp after = b.get("/_matrix/client/v3/account/whoami", carol.token());
        while (after.status() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            after = b.get("/_matrix/client/v3/account/whoami", carol.token());
        }
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void aRoomWrittenByBothInstancesAtOnceStaysOneChainAndBothSeeTheSameTimeline() throws Exception {
        User alice = user("cl_alice3", a);
        User bob = user("cl_bob3", b);
        String roomId = a.post("/_matrix/client/v3/createRoom", alice.token(), "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(b.post(room(roomId) + "/join", bob.token(), Json.object()).status()).isEqualTo(200);
        String filter = q("{\"room\":{\"timeline\":{\"limit\":1000}}}");
        String aliceSince = a.get(SYNC + "?timeout=0&filter=" + filter, alice.token()).text("next_batch");
        String bobSince = b.get(SYNC + "?timeout=0&filter=" + filter, bob.token()).text("next_batch");

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> sends = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            int writer = w;
            TestClient via = writer % 2 == 0 ? a : b;
            String token = writer % 2 == 0 ? alice.token() : bob.token();
            sends.add(pool.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    Resp sent = via.put(room(roomId) + "/send/m.room.message/w" + writer + "-" + i, token,
                            Json.object().put("msgtype", "m.text").put("body", writer + "-" + i));
                    assertThat(sent.status()).as(sent.body().toString()).isEqualTo(200);
                }
                return null;
            }));
        }
        for (Future<?> f : sends) f.get(120, TimeUnit.SECONDS);
        pool.shutdown();

        // One chain: a single forward extremity, and every event after the create names exactly one prev event.
        try (Connection c = DriverManager.getConnection(cluster.get(0).homeserver().database().jdbcUrl());
             Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM room_forward_extremities WHERE room_id = '" + roomId + "'")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(1);
            }
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM event_edges e JOIN events v ON v.event_id = e.event_id "
                    + "WHERE v.room_id = '" + roomId + "' GROUP BY e.event_id HAVING count(*) > 1")) {
                assertThat(r.next()).as("an event with two prev events: the room forked").isFalse();
            }
        }

        // Each instance serves all 200 messages once, in the same order, to incremental syncs.
        List<String> onA = drain(a, alice.token(), aliceSince, filter, roomId, 200);
        List<String> onB = drain(b, bob.token(), bobSince, filter, roomId, 200);
        assertThat(onA).hasSize(200).doesNotHaveDuplicates();
        assertThat(onB).isEqualTo(onA);
    }

    @Test
    void aSyncTokenFromOneInstanceContinuesOnTheOther() throws Exception {
        User alice = user("cl_alice4", a);
        String roomId = a.post("/_matrix/client/v3/createRoom", alice.token(), "{\"preset\":\"public_chat\"}").text("room_id");
        String filter = q("{\"room\":{\"timeline\":{\"limit\":1000}}}");
        a.put(room(roomId) + "/send/m.room.message/s0", alice.token(), Json.object().put("msgtype", "m.text").put("body", "zero"));
        Resp first = a.get(SYNC + "?timeout=0&filter=" + filter, alice.token());
        Map<String, Integer> seen = new LinkedHashMap<>();
        timelineBodies(first, roomId).forEach(body -> seen.merge(body, 1, Integer::sum));
        String token = first.text("next_batch");
        // Alternate instances: each sync continues from the token the other handed out.
        for (int i = 1; i <= 10; i++) {
            TestClient writer = i % 2 == 0 ? a : b;
            assertThat(writer.put(room(roomId) + "/send/m.room.message/s" + i, alice.token(),
                    Json.object().put("msgtype", "m.text").put("body", "n" + i)).status()).isEqualTo(200);
            TestClient reader = i % 2 == 0 ? b : a;
            Resp sync = reader.get(SYNC + "?timeout=10000&filter=" + filter + "&since=" + q(token), alice.token());
            timelineBodies(sync, roomId).forEach(body -> seen.merge(body, 1, Integer::sum));
            token = sync.text("next_batch");
        }
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("zero", 1);
        for (int i = 1; i <= 10; i++) expected.put("n" + i, 1);
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void aClaimOnOneInstanceLowersTheKeyCountTheOtherReports() throws Exception {
        User alice = user("cl_alice5", a);
        User bob = user("cl_bob5", b);
        String upload = "{\"one_time_keys\":{\"curve25519:AAAAAQ\":\"k1\",\"curve25519:AAAAAg\":\"k2\"}}";
        assertThat(a.post("/_matrix/client/v3/keys/upload", alice.token(), upload).status()).isEqualTo(200);
        // A caches the counts while serving a sync.
        Resp before = a.get(SYNC + "?timeout=0", alice.token());
        assertThat(before.body().path("device_one_time_keys_count").path("curve25519").asInt()).isEqualTo(2);
        String claim = "{\"one_time_keys\":{\"" + alice.id() + "\":{\"" + alice.device() + "\":\"curve25519\"}}}";
        assertThat(b.post("/_matrix/client/v3/keys/claim", bob.token(), claim).body().path("one_time_keys").path(alice.id())
                .path(alice.device()).size()).isEqualTo(1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int count;
        do {
            count = a.get(SYNC + "?timeout=0", alice.token()).body().path("device_one_time_keys_count").path("curve25519").asInt();
            if (count != 1) Thread.sleep(20);
        } while (count != 1 && System.nanoTime() < deadline);
        assertThat(count).as("the count A reports after B handed out one key").isEqualTo(1);
    }

    @Test
    void anIgnoreSetOnOneInstanceHidesTheIgnoredUserOnTheOther() throws Exception {
        User alice = user("cl_alice6", a);
        User mallory = user("cl_mallory6", a);
        String roomId = a.post("/_matrix/client/v3/createRoom", alice.token(), "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(a.post(room(roomId) + "/join", mallory.token(), Json.object()).status()).isEqualTo(200);
        String filter = q("{\"room\":{\"timeline\":{\"limit\":100}}}");
        // A learns alice's (empty) ignore list while serving her.
        String since = a.get(SYNC + "?timeout=0&filter=" + filter, alice.token()).text("next_batch");
        String ignore = "{\"ignored_users\":{\"" + mallory.id() + "\":{}}}";
        assertThat(b.put("/_matrix/client/v3/user/" + q(alice.id()) + "/account_data/m.ignored_user_list", alice.token(), ignore)
                .status()).isEqualTo(200);
        // Once A has heard of the change (the account data reaches a sync there), mallory's messages are hidden on A.
        Resp changed = a.get(SYNC + "?timeout=10000&filter=" + filter + "&since=" + q(since), alice.token());
        assertThat(changed.body().path("account_data").toString()).contains("m.ignored_user_list");
        assertThat(a.put(room(roomId) + "/send/m.room.message/m1", mallory.token(),
                Json.object().put("msgtype", "m.text").put("body", "from mallory")).status()).isEqualTo(200);
        assertThat(a.put(room(roomId) + "/send/m.room.message/a1", alice.token(),
                Json.object().put("msgtype", "m.text").put("body", "from alice")).status()).isEqualTo(200);
        Resp after = a.get(SYNC + "?timeout=10000&filter=" + filter + "&since=" + q(changed.text("next_batch")), alice.token());
        assertThat(timelineBodies(after, roomId)).contains("from alice").doesNotContain("from mallory");
    }

    @Test
    void aSlidingSyncPositionFromOneInstanceIsUnknownOnTheOther() {
        User alice = user("cl_alice7", a);
        String sss = "/_matrix/client/unstable/org.matrix.simplified_msc3575/sync";
        String body = "{\"lists\":{\"all\":{\"ranges\":[[0,5]],\"timeline_limit\":1}}}";
        String onB = b.post(sss + "?timeout=0", alice.token(), body).text("pos");
        String onA = a.post(sss + "?timeout=0", alice.token(), body).text("pos");
        // Connections live in each instance's memory: A's position is refused by B, whatever its number, and the client starts over.
        Resp foreign = b.post(sss + "?timeout=0&pos=" + q(onA), alice.token(), body);
        assertThat(foreign.status()).isEqualTo(400);
        assertThat(foreign.errcode()).isEqualTo("M_UNKNOWN_POS");
        assertThat(b.post(sss + "?timeout=0&pos=" + q(onB), alice.token(), body).status()).isEqualTo(200);
    }

    @Test
    void toDeviceMessagesAcknowledgedOnEitherInstanceAreDeleted() throws Exception {
        User alice = user("cl_alice8", a);
        User bob = user("cl_bob8", a);
        String t0 = a.get(SYNC + "?timeout=0", bob.token()).text("next_batch");
        String m1 = "{\"messages\":{\"" + bob.id() + "\":{\"" + bob.device() + "\":{\"n\":1}}}}";
        assertThat(a.put("/_matrix/client/v3/sendToDevice/org.example/d1", alice.token(), m1).status()).isEqualTo(200);
        Resp first = a.get(SYNC + "?timeout=10000&since=" + q(t0), bob.token());
        assertThat(first.body().path("to_device").path("events").size()).isEqualTo(1);
        // Acknowledged on B: B remembers that nothing is outstanding for the device.
        String t2 = b.get(SYNC + "?timeout=0&since=" + q(first.text("next_batch")), bob.token()).text("next_batch");
        String m2 = "{\"messages\":{\"" + bob.id() + "\":{\"" + bob.device() + "\":{\"n\":2}}}}";
        assertThat(a.put("/_matrix/client/v3/sendToDevice/org.example/d2", alice.token(), m2).status()).isEqualTo(200);
        Resp second = a.get(SYNC + "?timeout=10000&since=" + q(t2), bob.token());
        assertThat(second.body().path("to_device").path("events").size()).isEqualTo(1);
        // Acknowledged on B again: B must delete it although it last saw nothing outstanding.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int left;
        do {
            b.get(SYNC + "?timeout=0&since=" + q(second.text("next_batch")), bob.token());
            left = pendingToDevice(bob.id());
            if (left > 0) Thread.sleep(50);
        } while (left > 0 && System.nanoTime() < deadline);
        assertThat(left).as("to-device messages left after the device acknowledged them").isZero();
    }

    private static int pendingToDevice(String userId) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.get(0).homeserver().database().jdbcUrl());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM to_device_messages WHERE user_id = '" + userId + "'")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void anInstanceThatRestartsCatchesUpAndIsFollowed() throws Exception {
        List<TestServer> pair = TestServer.startCluster(2, List.of());
        try {
            TestClient one = pair.get(0).client();
            TestClient two = pair.get(1).client();
            assertThat(one.register("cl_rs", "password-cl_rs").status()).isEqualTo(200);
            String onOne = one.login("cl_rs", "password-cl_rs", null).text("access_token");
            String onTwo = two.login("cl_rs", "password-cl_rs", null).text("access_token");
            String roomId = one.post("/_matrix/client/v3/createRoom", onOne, "{\"preset\":\"public_chat\"}").text("room_id");
            String filter = q("{\"room\":{\"timeline\":{\"limit\":1000}}}");
            String since = two.get(SYNC + "?timeout=0&filter=" + filter, onTwo).text("next_batch");
            for (int i = 0; i < 3; i++) two.put(room(roomId) + "/send/m.room.message/b" + i, onTwo, Json.object().put("msgtype", "m.text").put("body", "b" + i));
            // Instance 1 stops; 2 writes on; 1 comes back (same name, same database) and writes too.
            String url = pair.get(0).homeserver().database().jdbcUrl();
            pair.get(0).close();
            for (int i = 3; i < 6; i++) two.put(room(roomId) + "/send/m.room.message/b" + i, onTwo, Json.object().put("msgtype", "m.text").put("body", "b" + i));
            TestServer again = TestServer.start(org.callhs.core.testing.Backend.POSTGRES, List.of(), "database.url=\"" + url + "\"",
                    "cluster.enabled=true", "cluster.instance_name=hs-1",
                    "federation.signing_key_path=\"" + pair.get(1).dataDir().resolve("signing.key") + "\"");
            pair.set(0, again);
            TestClient back = again.client();
            for (int i = 0; i < 3; i++) assertThat(back.put(room(roomId) + "/send/m.room.message/a" + i, onOne,
                    Json.object().put("msgtype", "m.text").put("body", "a" + i)).status()).isEqualTo(200);
            List<String> onB = drain(two, onTwo, since, filter, roomId, 9);
            assertThat(onB).containsExactly("b0", "b1", "b2", "b3", "b4", "b5", "a0", "a1", "a2");
        } finally {
            pair.forEach(TestServer::close);
        }
    }

    /** Incremental syncs from {@code since} until {@code count} messages of the room arrived. */
    private static List<String> drain(TestClient on, String token, String since, String filter, String roomId, int count) {
        List<String> bodies = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (bodies.size() < count && System.nanoTime() < deadline) {
            Resp sync = on.get(SYNC + "?timeout=2000&filter=" + filter + "&since=" + q(since), token);
            assertThat(sync.status()).isEqualTo(200);
            assertThat(sync.body().path("rooms").path("join").path(roomId).path("timeline").path("limited").asBoolean()).isFalse();
            bodies.addAll(timelineBodies(sync, roomId));
            since = sync.text("next_batch");
        }
        return bodies;
    }
}
