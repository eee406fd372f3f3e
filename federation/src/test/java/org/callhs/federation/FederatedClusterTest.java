package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A homeserver of two instances in cluster mode (one PostgreSQL database, one server name and
 * signing key; the first serves federation) and a remote server: what users send through either
 * instance reaches the remote server once and in order, one instance sending to it at a time,
 * and when that instance stops the other takes over its destination.
 */
class FederatedClusterTest {
    private static List<TestServer> cluster;
    private static TestServer remote;
    private static int port;
    private static int remotePort;

    @BeforeAll
    static void start() {
        port = FederatedPair.freePort();
        remotePort = FederatedPair.freePort();
        List<String> sets = new ArrayList<>(List.of("server_name=\"localhost:" + port + "\"", "federation.enabled=true",
                "federation.sender_lease_ms=2000"));
        sets.addAll(List.of(FederatedPair.FEDERATION_TEST_SETTINGS));
        cluster = TestServer.startCluster(2, List.of(new FederationModule()),
                i -> new String[] {"federation.listen=\"127.0.0.1:" + (i == 1 ? port : 0) + "\""}, sets.toArray(String[]::new));
        remote = FederatedPair.start(Backend.SQLITE, remotePort);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) cluster.forEach(TestServer::close);
        if (remote != null) remote.close();
    }

    private static String token(TestClient via, String localpart) {
        assertThat(via.register(localpart, "pw-" + localpart).status()).isEqualTo(200);
        return via.login(localpart, "pw-" + localpart, null).text("access_token");
    }

    private static String rooms(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private static void send(TestClient via, String token, String roomId, String body) {
        Resp r = via.put(rooms(roomId) + "/send/m.room.message/" + body, token, Json.object().put("msgtype", "m.text").put("body", body));
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    }

    /** Syncs the remote user until {@code count} messages of the room arrived (or 30 s passed); their bodies in order. */
    private static List<String> receive(String token, String roomId, int count, String[] since) {
        List<String> bodies = new ArrayList<>();
        String filter = TestClient.seg("{\"room\":{\"timeline\":{\"limit\":1000}}}");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (bodies.size() < count && System.nanoTime() < deadline) {
            Resp sync = remote.client().get("/_matrix/client/v3/sync?timeout=2000&filter=" + filter
                    + (since[0] == null ? "" : "&since=" + TestClient.seg(since[0])), token);
            for (JsonNode e : sync.body().path("rooms").path("join").path(roomId).path("timeline").path("events")) {
                if (e.path("type").asText().equals("m.room.message")) bodies.add(e.path("content").path("body").asText());
            }
            since[0] = sync.text("next_batch");
        }
        return bodies;
    }

    private static String leaseHolder(String destination) throws Exception {
        try (Connection c = DriverManager.getConnection(cluster.get(1).homeserver().database().jdbcUrl());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sender_instance FROM federation_destinations WHERE destination = '" + destination + "'")) {
            return r.next() ? r.getString(1) : null;
        }
    }

    @Test
    void messagesSentThroughEitherInstanceReachTheRemoteServerOnceAndTheSurvivorTakesOver() throws Exception {
        TestClient a1 = cluster.get(0).client();
        TestClient a2 = cluster.get(1).client();
        String alice = token(a1, "fcl_alice");
        String aliceOnA2 = a2.login("fcl_alice", "pw-fcl_alice", null).text("access_token");
        String bob = token(remote.client(), "fcl_bob");
        String roomId = a2.post("/_matrix/client/v3/createRoom", aliceOnA2, "{\"preset\":\"public_chat\"}").text("room_id");
        Resp joined = remote.client().post("/_matrix/client/v3/join/" + TestClient.seg(roomId) + "?server_name="
                + TestClient.seg("localhost:" + port), bob, Json.object());
        assertThat(joined.status()).as(joined.body().toString()).isEqualTo(200);
        String[] since = {null};
        receive(bob, roomId, 0, since);

        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String body = "m" + i;
            send(i % 2 == 0 ? a1 : a2, i % 2 == 0 ? alice : aliceOnA2, roomId, body);
            sent.add(body);
        }
        List<String> got = receive(bob, roomId, sent.size(), since);
        assertThat(got).as("each message once, in the order sent").isEqualTo(sent);

        // The instance holding the lease for the remote server stops; the other takes the destination over.
        String holder = leaseHolder("localhost:" + remotePort);
        assertThat(holder).isIn("hs-1", "hs-2");
        int stopped = holder.equals("hs-1") ? 0 : 1;
        TestClient survivor = stopped == 0 ? a2 : a1;
        String survivorToken = stopped == 0 ? aliceOnA2 : alice;
        cluster.get(stopped).close();
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String body = "after" + i;
            send(survivor, survivorToken, roomId, body);
            after.add(body);
        }
        assertThat(receive(bob, roomId, after.size(), since)).isEqualTo(after);
        assertThat(leaseHolder("localhost:" + remotePort)).isEqualTo(stopped == 0 ? "hs-2" : "hs-1");
        List<TestServer> left = new ArrayList<>(cluster);
        left.remove(stopped);
        cluster = left;
    }
}
