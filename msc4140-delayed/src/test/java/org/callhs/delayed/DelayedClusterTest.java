package org.callhs.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delayed events with two instances in cluster mode on one PostgreSQL database: events
 * scheduled through either instance and restarted through the other fire exactly once and never
 * before their acknowledged due time, and the events of an instance that stopped are fired by the
 * other. Each test gets its own pair (one of them stops).
 */
class DelayedClusterTest {
    private static final String U = "/_matrix/client/unstable/org.matrix.msc4140";
    private static final String TYPE = "org.example.call.member";
    private List<TestServer> cluster;
    private TestClient a;
    private TestClient b;

    @BeforeEach
    void start() {
        cluster = TestServer.startCluster(2, List.of(new DelayedEventsModule()), "delayed_events.sweep_interval_ms=500");
        a = cluster.get(0).client();
        b = cluster.get(1).client();
    }

    @AfterEach
    void stop() {
        cluster.forEach(TestServer::close);
    }

    private static String rooms(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private String token(String localpart) {
        assertThat(a.register(localpart, "pw-" + localpart).status()).isEqualTo(200);
        return a.login(localpart, "pw-" + localpart, null).text("access_token");
    }

    private static String schedule(TestClient via, String token, String roomId, String key, long delayMs) {
        Resp r = via.put(rooms(roomId) + "/state/" + TYPE + "/" + key + "?org.matrix.msc4140.delay=" + delayMs, token,
                "{\"left\":\"" + key + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        return r.text("delay_id");
    }

    /** The room's state events of {@code TYPE} in its timeline, by state key, read from the database: each delayed event's outcome. */
    private Map<String, Integer> fired(String roomId) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection c = DriverManager.getConnection(cluster.get(1).homeserver().database().jdbcUrl());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT state_key FROM events WHERE room_id = '" + roomId + "' AND event_type = '" + TYPE
                     + "' AND stream_ordering IS NOT NULL")) {
            while (r.next()) counts.merge(r.getString(1), 1, Integer::sum);
        }
        return counts;
    }

    /** The event a delayed event became, as the management API tells its owner. */
    private static String sentAs(TestClient via, String token, String delayId) {
        return via.get(U + "/delayed_events/" + TestClient.seg(delayId), token).body().path("event_id").asText();
    }

    @Test
    void eventsScheduledAndRestartedThroughDifferentInstancesFireOnceAndNeverEarly() throws Exception {
        String alice = token("dcl_alice");
        String roomId = a.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"public_chat\"}").text("room_id");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) ids.add(schedule(i % 2 == 0 ? a : b, alice, roomId, "k" + i, 1_500));
        // Heartbeats through the other instance, for a while: none of them may fire meanwhile.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_500);
        long lastRestart = 0;
        while (System.nanoTime() < until) {
            for (int i = 0; i < ids.size(); i++) {
                Resp restart = (i % 2 == 0 ? b : a).post(U + "/delayed_events/" + TestClient.seg(ids.get(i)) + "/restart", alice, "{}");
                assertThat(restart.status()).as(restart.body().toString()).isEqualTo(200);
            }
            lastRestart = System.currentTimeMillis();
            assertThat(fired(roomId)).as("fired while being restarted").isEmpty();
            Thread.sleep(300);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (fired(roomId).size() < ids.size() && System.nanoTime() < deadline) Thread.sleep(50);
        long firedBy = System.currentTimeMillis();
        Map<String, Integer> fired = fired(roomId);
        assertThat(fired).hasSize(ids.size());
        assertThat(fired.values()).as("each delayed event became exactly one event").containsOnly(1);
        assertThat(firedBy - lastRestart).as("none fired before its last acknowledged due time").isGreaterThanOrEqualTo(1_500 - 300);
        for (String id : ids) assertThat(sentAs(a, alice, id)).startsWith("$");
    }

    @Test
    void theEventsOfAnInstanceThatStoppedAreFiredByTheOther() throws Exception {
        String alice = token("dcl_bob");
        String roomId = a.post("/_matrix/client/v3/createRoom", alice, "{\"preset\":\"public_chat\"}").text("room_id");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) ids.add(schedule(a, alice, roomId, "m" + i, 2_000));
        cluster.get(0).close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (fired(roomId).size() < ids.size() && System.nanoTime() < deadline) Thread.sleep(50);
        Map<String, Integer> fired = fired(roomId);
        assertThat(fired).hasSize(ids.size());
        assertThat(fired.values()).containsOnly(1);
        for (String id : ids) assertThat(sentAs(b, alice, id)).startsWith("$");
        JsonNode sync = b.get("/_matrix/client/v3/sync?timeout=0", alice).body();
        assertThat(sync.path("rooms").path("join").path(roomId).path("state").toString()
                + sync.path("rooms").path("join").path(roomId).path("timeline").toString()).contains("m9");
        cluster = List.of(cluster.get(1));
    }
}
