package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sends that queue for a room's lock are written together, one transaction per group: each
 * still gets its own answer, repeated transaction IDs answer the first event, refusals stay the
 * refused send's own, and the room stays one chain. Both databases.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class GroupedSendsTest extends BackendSuite {
    private static String path(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private record Sent(String kind, String txnId, Resp resp) {}

    @Test
    void aStormOfSendsKeepsEveryOutcomeAndOneChain() throws Exception {
        String owner = server.registerToken("storm-owner");
        String member = server.registerToken("storm-member");
        String outsider = server.registerToken("storm-outsider");
        String roomId = client.post("/_matrix/client/v3/createRoom", owner, "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(client.post(path(roomId) + "/join", member, Json.object()).status()).isEqualTo(200);
        String tooLarge = "x".repeat(70_000);

        ExecutorService pool = Executors.newFixedThreadPool(32);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Sent>> futures = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            int n = i;
            futures.add(pool.submit(() -> {
                start.await();
                if (n % 10 == 3) {
                    return new Sent("outsider", null, client.put(path(roomId) + "/send/m.room.message/o" + n, outsider,
                            Json.object().put("msgtype", "m.text").put("body", "not a member")));
                }
                if (n % 10 == 7) {
                    return new Sent("large", null, client.put(path(roomId) + "/send/m.room.message/l" + n, member,
                            Json.object().put("msgtype", "m.text").put("body", tooLarge)));
                }
                // 32 transaction IDs (n % 40, the sender by parity), each sent by three concurrent requests.
                String txn = "t" + (n % 40);
                String token = n % 2 == 0 ? owner : member;
                String sender = n % 2 == 0 ? "owner" : "member";
                return new Sent(sender, sender + txn, client.put(path(roomId) + "/send/m.room.message/" + txn, token,
                        Json.object().put("msgtype", "m.text").put("body", sender + " " + txn)));
            }));
        }
        start.countDown();
        List<Sent> sent = new ArrayList<>();
        for (Future<Sent> f : futures) sent.add(f.get());
        pool.shutdown();

        java.util.Map<String, String> eventByTxn = new java.util.HashMap<>();
        Set<String> accepted = new HashSet<>();
        for (Sent s : sent) {
            switch (s.kind()) {
                case "outsider" -> {
                    assertThat(s.resp().status()).as(s.resp().body().toString()).isEqualTo(403);
                    assertThat(s.resp().errcode()).isEqualTo("M_FORBIDDEN");
                }
                case "large" -> {
                    assertThat(s.resp().status()).as(s.resp().body().toString()).isEqualTo(413);
                    assertThat(s.resp().errcode()).isEqualTo("M_TOO_LARGE");
                }
                default -> {
                    assertThat(s.resp().status()).as(s.resp().body().toString()).isEqualTo(200);
                    String eventId = s.resp().text("event_id");
                    String first = eventByTxn.putIfAbsent(s.txnId(), eventId);
                    if (first != null) assertThat(eventId).as("repeat of " + s.txnId()).isEqualTo(first);
                    accepted.add(eventId);
                }
            }
        }
        assertThat(eventByTxn).hasSize(32);
        assertThat(accepted).hasSize(32);

        List<JsonNode> pdus = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        server.homeserver().database().dsl()
                .fetch("SELECT event_id, pdu FROM events WHERE room_id = ? ORDER BY stream_ordering", roomId)
                .forEach(r -> {
                    ids.add(r.get(0, String.class));
                    pdus.add(Json.parse(r.get(1, String.class)));
                });
        assertThat(ids).containsAll(accepted);
        long messages = pdus.stream().filter(p -> p.path("type").asText().equals("m.room.message")).count();
        assertThat(messages).as("each accepted send written once, nothing refused written").isEqualTo(32);
        for (int i = 1; i < pdus.size(); i++) {
            assertThat(pdus.get(i).path("prev_events")).hasSize(1);
            assertThat(pdus.get(i).path("prev_events").get(0).asText()).isEqualTo(ids.get(i - 1));
            assertThat(pdus.get(i).path("depth").asLong()).isEqualTo(pdus.get(i - 1).path("depth").asLong() + 1);
        }
        assertThat(server.homeserver().database().dsl()
                .fetch("SELECT event_id FROM room_forward_extremities WHERE room_id = ?", roomId).map(r -> r.get(0, String.class)))
                .containsExactly(ids.get(ids.size() - 1));
        // Every event's prev_events are recorded as edges.
        for (int i = 1; i < pdus.size(); i++) {
            assertThat(server.homeserver().database().dsl()
                    .fetch("SELECT prev_event_id FROM event_edges WHERE event_id = ?", ids.get(i)).map(r -> r.get(0, String.class)))
                    .containsExactly(ids.get(i - 1));
        }

        // The room goes on after the storm: a later send follows the last event.
        Resp after = client.put(path(roomId) + "/send/m.room.message/after", owner, Json.object().put("msgtype", "m.text").put("body", "after"));
        assertThat(after.status()).isEqualTo(200);
        JsonNode latest = client.get(path(roomId) + "/messages?dir=b&limit=1", owner).body().path("chunk").get(0);
        assertThat(latest.path("event_id").asText()).isEqualTo(after.text("event_id"));
    }
}
