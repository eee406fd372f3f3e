package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.delayed.DelayedEventsModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two instances in cluster mode on one PostgreSQL database: sticky events sent through one
 * reach the sticky section of syncs served by the other (its in-memory index learns them from
 * the table), and a long-poll there wakes for them.
 */
class StickyClusterTest {
    private static final String STICKY = "org.matrix.msc4354.sticky_duration_ms";
    private static final String ONLY_EXAMPLE = "{\"room\":{\"timeline\":{\"types\":[\"io.element.example\"]}}}";
    private static List<TestServer> cluster;
    private static TestClient a;
    private static TestClient b;

    @BeforeAll
    static void start() {
        cluster = TestServer.startCluster(2, List.of(new StickyEventsModule(), new DelayedEventsModule()));
        a = cluster.get(0).client();
        b = cluster.get(1).client();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.forEach(TestServer::close);
    }

    private static String enc(String value) { return URLEncoder.encode(value, StandardCharsets.UTF_8); }

    private static String rooms(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static String token(TestClient via, String localpart) {
        assertThat(a.register(localpart, "pw-" + localpart).status()).isEqualTo(200);
        return via.login(localpart, "pw-" + localpart, null).text("access_token");
    }

    private static String sendSticky(TestClient via, String token, String roomId, String txn) {
        Resp r = via.put(rooms(roomId) + "/send/m.room.message/" + txn + "?" + STICKY + "=60000", token,
                "{\"msgtype\":\"m.text\",\"body\":\"" + txn + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("event_id");
    }

    private static JsonNode sync(TestClient via, String token, String since, String filter, long timeout) {
        String path = "/_matrix/client/v3/sync?timeout=" + timeout + (since == null ? "" : "&since=" + enc(since))
                + (filter == null ? "" : "&filter=" + enc(filter));
        Resp r = via.get(path, token);
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.body();
    }

    private static List<String> stickyIds(JsonNode sync, String roomId) {
        List<String> ids = new ArrayList<>();
        for (JsonNode e : sync.path("rooms").path("join").path(roomId).path("msc4354_sticky").path("events")) {
            ids.add(e.path("event_id").asText());
        }
        return ids;
    }

    @Test
    void stickyEventsSentThroughOneInstanceAreServedByTheOther() throws Exception {
        String alice = token(a, "stc_alice");
        String bob = token(b, "stc_bob");
        String roomId = a.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(b.post(rooms(roomId) + "/join", bob, "{}").status()).isEqualTo(200);
        String since = sync(b, bob, null, ONLY_EXAMPLE, 0).path("next_batch").asText();

        // A long-poll on B whose timeline filter hides the event wakes for a sticky event sent on A.
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> sync(b, bob, since, ONLY_EXAMPLE, 30_000));
        Thread.sleep(200);
        String first = sendSticky(a, alice, roomId, "s1");
        JsonNode woken = waiting.get(20, TimeUnit.SECONDS);
        assertThat(stickyIds(woken, roomId)).containsExactly(first);
        String second = sendSticky(a, alice, roomId, "s2");
        assertThat(stickyIds(sync(b, bob, woken.path("next_batch").asText(), ONLY_EXAMPLE, 30_000), roomId)).containsExactly(second);

        // Once B has them, an initial sync there, whose timeline holds none of them, has both in the sticky section.
        JsonNode initial = sync(b, bob, null, ONLY_EXAMPLE, 0);
        assertThat(stickyIds(initial, roomId)).containsExactly(first, second);
    }
}
