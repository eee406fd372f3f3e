package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsRequest;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.callhs.complement.harness.ServerLogsOnFailure;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One homeserver of two processes in cluster mode on one PostgreSQL database (PostgreSQL only:
 * SQLite refuses cluster mode). Users on each instance see each other's sends; and under a
 * MatrixRTC-shaped delayed-event load, one instance is killed with SIGKILL and later restarted:
 * every acknowledged delayed event becomes exactly one event, none early, the dead instance's
 * due events are sent by the other within the documented bound, the room never forks, and a
 * client that syncs incrementally, moving from the dead instance to the live one with the same
 * token, sees every event once and in order.
 */
@ExtendWith(ServerLogsOnFailure.class)
class ClusterScenario {
    private static final String PASSWORD = "cluster-password";
    private static final String TYPE = "org.example.leave";
    private static final long DELAY_MS = 2_000;
    private static final long HEARTBEAT_MS = 300;
    private static final long SWEEP_MS = 1_000;
    /**
     * The README's bound for a dead instance's due events: the sweep interval, Quartz noticing the
     * dead instance (about 5 s) when it held the sweep, and the 5 s lease of rows it had leased,
     * with room for a loaded CI machine.
     */
    private static final long FAILOVER_BOUND_MS = SWEEP_MS + 5_000 + 5_000 + 4_000;
    private static final int PARTICIPANTS = 12;

    private Deployment deployment;

    @AfterEach
    void tearDown() {
        Deployment.close(deployment);
    }

    private Deployment deploy() {
        deployment = Deployment.startCluster("ClusterScenario", 2, HomeserverOptions.defaults()
                .set("delayed_events.sweep_interval_ms", Long.toString(SWEEP_MS))
                .requiringProcessControl("runs and kills several instances"));
        return deployment;
    }

    private CsApiClient on(int instance, CsApiClient user) {
        return new CsApiClient(deployment.hs(instance).baseUrl()).login(user.userId(), PASSWORD);
    }

    @Test
    void sendsThroughOneInstanceAreSeenBySyncsOnTheOther() {
        deploy();
        CsApiClient alice = deployment.hs(1).client().register(Names.unique("cl-alice"), PASSWORD);
        CsApiClient bob = on(2, deployment.hs(1).client().register(Names.unique("cl-bob"), PASSWORD));
        String roomId = Rooms.create(alice, obj("preset", "public_chat"));
        Rooms.join(bob, roomId);
        String since = bob.request("GET", "sync").query("timeout", "0").send().assertOk().path("next_batch").asText();
        Rooms.sendText(alice, roomId, "through one");
        JsonNode woken = bob.request("GET", "sync").query("timeout", "20000").query("since", since).send().assertOk();
        assertThat(woken.path("rooms").path("join").path(roomId).path("timeline").toString()).contains("through one");
        String aliceSince = alice.request("GET", "sync").query("timeout", "0").send().assertOk().path("next_batch").asText();
        Rooms.sendText(bob, roomId, "through two");
        JsonNode other = alice.request("GET", "sync").query("timeout", "20000").query("since", aliceSince).send().assertOk();
        assertThat(other.path("rooms").path("join").path(roomId).path("timeline").toString()).contains("through two");
    }

    /** Syncs incrementally and keeps every leave event in the order served; moves to the other instance when its own dies. */
    static final class Observer implements Runnable {
        final List<CsApiClient> clients;
        final String roomId;
        final AtomicBoolean stop;
        final List<String> nonces = new CopyOnWriteArrayList<>();
        volatile int switches;
        /** Responses whose timeline was limited (a gap the observer would have to fill by paging). */
        volatile int gaps;
        String since;

        Observer(List<CsApiClient> clients, String roomId, AtomicBoolean stop, String since) {
            this.clients = clients;
            this.roomId = roomId;
            this.stop = stop;
            this.since = since;
        }

        @Override
        public void run() {
            int current = 0;
            boolean quiet = false;
            while (!stop.get() || !quiet) {
                boolean done = stop.get();
                try {
                    JsonNode sync = clients.get(current).request("GET", "sync").query("timeout", "1000").query("since", since)
                            .query("filter", "{\"room\":{\"timeline\":{\"limit\":1000}}}").send().assertOk();
                    JsonNode timeline = sync.path("rooms").path("join").path(roomId).path("timeline");
                    if (timeline.path("limited").asBoolean()) gaps++;
                    int fresh = 0;
                    for (JsonNode e : timeline.path("events")) {
                        if (e.path("type").asText().equals(TYPE)) {
                            nonces.add(e.path("content").path("nonce").asText());
                            fresh++;
                        }
                    }
                    since = sync.path("next_batch").asText();
                    quiet = done && fresh == 0;
                } catch (RuntimeException | AssertionError e) {
                    // Its instance is gone: the same token goes on at the other one.
                    current = (current + 1) % clients.size();
                    switches++;
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
    }

    @Test
    void delayedEventsFireOnceAndNeverEarlyWhenAnInstanceIsKilled() throws Exception {
        deploy();
        HomeserverProcess one = deployment.process(1);
        CsApiClient owner = deployment.hs(1).client().register(Names.unique("cl-owner"), PASSWORD);
        String roomId = Rooms.create(owner, obj("preset", "public_chat", "power_level_content_override", obj("events", obj(TYPE, 0))));
        AtomicBoolean stop = new AtomicBoolean();
        List<DelayedLeaveParticipant> participants = new ArrayList<>();
        for (int i = 0; i < PARTICIPANTS; i++) {
            CsApiClient registered = deployment.hs(1).client().register(Names.unique("cl-p" + i), PASSWORD);
            CsApiClient client = i % 2 == 0 ? registered : on(2, registered);
            Rooms.join(client, roomId);
            participants.add(new DelayedLeaveParticipant(client, roomId, TYPE, DELAY_MS, HEARTBEAT_MS, stop));
        }
        CsApiClient watcher = deployment.hs(1).client().register(Names.unique("cl-watch"), PASSWORD);
        Rooms.join(watcher, roomId);
        String since = watcher.request("GET", "sync").query("timeout", "0").send().assertOk().path("next_batch").asText();
        AtomicBoolean allSent = new AtomicBoolean();
        Observer observer = new Observer(List.of(watcher, on(2, watcher)), roomId, allSent, since);

        List<Thread> threads = new ArrayList<>();
        for (DelayedLeaveParticipant p : participants) threads.add(Thread.ofPlatform().name("participant").start(p));
        Thread observing = Thread.ofPlatform().name("observer").start(observer);

        Thread.sleep(3_000);
        long killedAt = System.currentTimeMillis();
        one.kill();
        // Longer than the delay: the events of instance 1's participants fall due while it is dead.
        Thread.sleep(DELAY_MS + 4_000);
        one.start();
        long backAt = System.currentTimeMillis();
        Thread.sleep(3_000);
        stop.set(true);
        for (Thread t : threads) t.join(10_000);

        Map<String, DelayedLeaveParticipant.Scheduled> byNonce = DelayedLeaveParticipant.allSent(participants);
        allSent.set(true);
        observing.join(30_000);
        assertThat(observing.isAlive()).as("the observer caught up").isFalse();

        // The room's timeline, as /messages serves it on instance 2.
        CsApiClient reader = on(2, owner);
        Map<String, List<JsonNode>> seen = new HashMap<>();
        List<String> order = new ArrayList<>();
        String from = null;
        while (true) {
            CsRequest page = reader.request("GET", "rooms", roomId, "messages").query("dir", "f").query("limit", "500");
            if (from != null) page = page.query("from", from);
            JsonNode body = page.send().assertOk();
            for (JsonNode e : body.path("chunk")) {
                if (!e.path("type").asText().equals(TYPE)) continue;
                String nonce = e.path("content").path("nonce").asText();
                seen.computeIfAbsent(nonce, n -> new ArrayList<>()).add(e);
                order.add(nonce);
            }
            if (!body.hasNonNull("end") || body.path("chunk").isEmpty()) break;
            from = body.path("end").asText();
        }

        for (DelayedLeaveParticipant.Scheduled s : byNonce.values()) {
            List<JsonNode> copies = seen.getOrDefault(s.nonce, List.of());
            assertThat(copies).as("event %s sent exactly once", s.nonce).hasSize(1);
            long due = copies.get(0).path("origin_server_ts").asLong();
            assertThat(due).as("event %s never earlier than its last acknowledged restart + delay", s.nonce)
                    .isGreaterThanOrEqualTo(s.lastAckedRequestAt + DELAY_MS);
            JsonNode record = s.owner.client.requestAt("GET", "_matrix", "client", "unstable", "org.matrix.msc4140",
                    "delayed_events", s.delayId).send().assertOk();
            long sentAt = record.path("finalised_ts").asLong();
            assertThat(sentAt).as("event %s not sent before it was due", s.nonce).isGreaterThanOrEqualTo(due);
            // Due while instance 1 was dead: instance 2 sends it within the bound; otherwise whichever instance, promptly.
            boolean dueWhileDead = due >= killedAt && due <= backAt;
            assertThat(sentAt - due).as("event %s sent within the failover bound", s.nonce)
                    .isLessThan(dueWhileDead ? FAILOVER_BOUND_MS : 5_000);
        }
        for (Map.Entry<String, List<JsonNode>> e : seen.entrySet()) assertThat(e.getValue()).as("copies of %s", e.getKey()).hasSize(1);
        assertThat(observer.switches).as("the observer moved to the live instance").isPositive();
        assertThat(observer.gaps).as("timelines the observer got limited").isZero();
        assertThat(observer.nonces).as("the observer saw every event once, in the room's order").isEqualTo(order);
        assertThat(forwardExtremities(roomId)).as("the room never forked: one forward extremity").isEqualTo(1);
    }

    private int forwardExtremities(String roomId) throws Exception {
        try (Connection c = DriverManager.getConnection(deployment.process(2).databaseUrl());
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM room_forward_extremities WHERE room_id = '" + roomId + "'")) {
            r.next();
            return r.getInt(1);
        }
    }
}
