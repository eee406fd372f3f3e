package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * Durability of room events under a hard crash: clients keep sending while the server gets
 * {@code kill -9}; after a restart on the same data, every acknowledged event is there, the
 * history is gap-free and duplicate-free, transaction IDs still deduplicate, and the room goes on.
 */
@HomeserverScenario
class RoomCrashScenario {

    private static final String PASSWORD = "room-crash-password";
    /** Load runs until every sender has this many acknowledged events and {@link #MIN_LOAD} has passed... */
    private static final int MIN_ACKS_PER_SENDER = 15;
    private static final Duration MIN_LOAD = Duration.ofMillis(1500);
    /** ...or until this much time has passed, whichever comes first. */
    private static final Duration MAX_LOAD = Duration.ofSeconds(8);

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RoomCrashScenario.class,
                HomeserverOptions.defaults().requiringProcessControl("kills the homeserver under load and restarts it"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static HomeserverProcess server() { return deployment.process1(); }

    /** An acknowledged send: sequence number, transaction ID, event ID. */
    private record Ack(int seq, String txnId, String eventId) {}

    /** One client thread sending {@code "<label> <seq>"} messages, one at a time, with transaction IDs {@code <label>-<seq>}. */
    private static final class Sender implements Runnable {
        final String label;
        final CsApiClient client;
        final String roomId;
        final List<Ack> acks = new CopyOnWriteArrayList<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop;
        volatile Integer unacknowledgedSeq;
        volatile String failure;

        Sender(String label, CsApiClient client, String roomId, AtomicBoolean stop) {
            this.label = label;
            this.client = client;
            this.roomId = roomId;
            this.stop = stop;
        }

        String txnId(int seq) { return label + "-" + seq; }

        static String body(String label, int seq) { return label + " " + seq; }

        @Override
        public void run() {
            for (int seq = 0; !stop.get(); seq++) {
                CsResponse response;
                try {
                    response = client.put(obj("msgtype", "m.text", "body", body(label, seq)),
                            "rooms", roomId, "send", "m.room.message", txnId(seq));
                } catch (RuntimeException e) {
                    // The server died with this request in flight (or before it arrived): unacknowledged.
                    unacknowledgedSeq = seq;
                    failure = e.toString();
                    return;
                }
                if (response.status() != 200) {
                    unexpected.add(response.describe());
                    unacknowledgedSeq = seq;
                    return;
                }
                acks.add(new Ack(seq, txnId(seq), response.json().path("event_id").asText()));
            }
        }
    }

    @Test
    void acknowledgedEventsSurviveAKillUnderLoad() throws Exception {
        CsApiClient alice = server().client().register(Names.unique("crash-a"), PASSWORD);
        CsApiClient bob = server().client().register(Names.unique("crash-b"), PASSWORD);
        String room1 = Rooms.create(alice, obj("preset", "public_chat"));
        String room2 = Rooms.create(bob, obj("preset", "public_chat", "room_version", "12"));
        Rooms.join(bob, room1);
        Rooms.join(alice, room2);

        AtomicBoolean stop = new AtomicBoolean();
        List<Sender> senders = List.of(
                new Sender("a1", alice, room1, stop),
                new Sender("b1", bob, room1, stop),
                new Sender("a2", alice.loginAgain(), room2, stop),
                new Sender("b2", bob.loginAgain(), room2, stop));
        List<Thread> threads = new ArrayList<>();
        for (Sender s : senders) threads.add(Thread.ofPlatform().name("sender-" + s.label).start(s));

        long startNanos = System.nanoTime();
        while (true) {
            long elapsed = System.nanoTime() - startNanos;
            boolean enough = senders.stream().allMatch(s -> s.acks.size() >= MIN_ACKS_PER_SENDER) && elapsed >= MIN_LOAD.toNanos();
            if (enough || elapsed >= MAX_LOAD.toNanos() || senders.stream().anyMatch(s -> s.unacknowledgedSeq != null)) break;
            Thread.sleep(20);
        }
        server().kill(); // kill -9 with requests in flight
        stop.set(true);
        for (Thread t : threads) t.join(Duration.ofSeconds(70));
        for (Sender s : senders) {
            assertThat(s.unexpected).as("non-200 answers to %s before the kill", s.label).isEmpty();
            assertThat(s.acks).as("%s got sends acknowledged before the kill", s.label).isNotEmpty();
        }

        server().start();

        Map<String, List<JsonNode>> histories = new HashMap<>();
        for (String roomId : List.of(room1, room2)) {
            List<Sender> inRoom = senders.stream().filter(s -> s.roomId.equals(roomId)).toList();
            CsApiClient reader = inRoom.get(0).client;

            // 1. Every acknowledged event is readable.
            for (Sender s : inRoom) {
                for (Ack ack : s.acks) {
                    JsonNode event = Rooms.event(reader, roomId, ack.eventId());
                    assertThat(event.path("content").path("body").asText()).as("body of acknowledged %s", ack)
                            .isEqualTo(Sender.body(s.label, ack.seq()));
                    assertThat(event.path("sender").asText()).isEqualTo(s.client.userId());
                }
            }

            // 2. The history, paginated both ways, is the same, without duplicates or gaps.
            List<JsonNode> backwards = Rooms.paginateAll(reader, roomId, "b", 50);
            List<JsonNode> forwards = Rooms.paginateAll(reader, roomId, "f", 37);
            List<String> backwardIds = Rooms.ids(backwards);
            Collections.reverse(backwardIds);
            assertThat(Rooms.ids(forwards)).as("forwards = backwards reversed in %s", roomId).isEqualTo(backwardIds);
            assertThat(forwards.get(0).path("type").asText()).isEqualTo("m.room.create");
            histories.put(roomId, forwards);

            int messages = 0;
            int acknowledged = 0;
            int inFlight = 0;
            for (Sender s : inRoom) {
                List<Integer> seqs = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (JsonNode e : forwards) {
                    String body = e.path("content").path("body").asText("");
                    if (e.path("type").asText().equals("m.room.message") && body.startsWith(s.label + " ")) {
                        seqs.add(Integer.parseInt(body.substring(s.label.length() + 1)));
                        ids.add(e.path("event_id").asText());
                    }
                }
                List<Integer> expectedPrefix = new ArrayList<>();
                for (int i = 0; i < seqs.size(); i++) expectedPrefix.add(i);
                assertThat(seqs).as("%s's messages in room order: 0, 1, 2, ... without gaps or repeats", s.label)
                        .isEqualTo(expectedPrefix);
                int acks = s.acks.size();
                int extra = s.unacknowledgedSeq == null ? 0 : 1;
                assertThat(seqs.size()).as("%s: %d acknowledged, %d in flight", s.label, acks, extra)
                        .isBetween(acks, acks + extra);
                for (Ack ack : s.acks) {
                    assertThat(ids.get(ack.seq())).as("event at %s's position %d", s.label, ack.seq()).isEqualTo(ack.eventId());
                }
                messages += seqs.size();
                acknowledged += acks;
                inFlight += extra;
            }
            System.out.printf("[RoomCrashScenario/%s] %s: %d acknowledged, %d in flight, %d messages persisted%n",
                    deployment.name(), roomId, acknowledged, inFlight, messages);
            long allMessages = forwards.stream().filter(e -> e.path("type").asText().equals("m.room.message")).count();
            assertThat(allMessages).as("messages in %s", roomId).isEqualTo(messages).isBetween((long) acknowledged,
                    (long) acknowledged + inFlight);
        }

        // 3. Transaction IDs still deduplicate: acknowledged ones, and in-flight ones that were committed.
        for (Sender s : senders) {
            for (Ack ack : List.of(s.acks.get(0), s.acks.get(s.acks.size() / 2), s.acks.get(s.acks.size() - 1))) {
                String again = s.client.put(obj("msgtype", "m.text", "body", Sender.body(s.label, ack.seq())),
                        "rooms", s.roomId, "send", "m.room.message", ack.txnId()).assertOk().path("event_id").asText();
                assertThat(again).as("re-sending acknowledged txn %s", ack.txnId()).isEqualTo(ack.eventId());
            }
        }

        // 4. The rooms go on: a new event comes after the last pre-crash one.
        for (String roomId : List.of(room1, room2)) {
            Sender s = senders.stream().filter(x -> x.roomId.equals(roomId)).findFirst().orElseThrow();
            List<JsonNode> before = histories.get(roomId);
            String lastBefore = before.get(before.size() - 1).path("event_id").asText();
            String fresh = Rooms.sendText(s.client, roomId, "after the crash");

            JsonNode newest = Rooms.messages(s.client, roomId, "b", null, 1);
            assertThat(Rooms.ids(newest.path("chunk"))).as("the newest event of %s", roomId).containsExactly(fresh);
            JsonNode context = s.client.request("GET", "rooms", roomId, "context", lastBefore).query("limit", "4").send().assertOk();
            assertThat(Rooms.ids(context.path("events_after"))).as("events after the last pre-crash event").containsExactly(fresh);
            List<JsonNode> after = Rooms.paginateAll(s.client, roomId, "f", 100);
            assertThat(Rooms.ids(after)).as("history after the new send")
                    .isEqualTo(append(Rooms.ids(before), fresh));
        }

        // 5. In-flight sends: re-sending them returns the committed event if there is one, else a new one.
        for (Sender s : senders) {
            if (s.unacknowledgedSeq == null) continue;
            int seq = s.unacknowledgedSeq;
            String committed = histories.get(s.roomId).stream()
                    .filter(e -> e.path("content").path("body").asText("").equals(Sender.body(s.label, seq)))
                    .map(e -> e.path("event_id").asText()).findFirst().orElse(null);
            String resent = s.client.put(obj("msgtype", "m.text", "body", Sender.body(s.label, seq)),
                    "rooms", s.roomId, "send", "m.room.message", s.txnId(seq)).assertOk().path("event_id").asText();
            if (committed != null) {
                assertThat(resent).as("re-sending in-flight txn %s that was committed before the kill", s.txnId(seq))
                        .isEqualTo(committed);
            } else {
                assertThat(Rooms.event(s.client, s.roomId, resent).path("content").path("body").asText())
                        .isEqualTo(Sender.body(s.label, seq));
            }
        }
    }

    private static List<String> append(List<String> list, String last) {
        List<String> out = new ArrayList<>(list);
        out.add(last);
        return out;
    }
}
