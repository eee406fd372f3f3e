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
 * token, sees every event once and in order. The same holds for a MatrixRTC call of 100 with
 * sticky memberships split over the two instances, whose sticky indexes both serve every
 * membership and the dead half's leaves.
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
    private static final String MEMBER = "org.matrix.msc4143.rtc.member";
    private static final int CALL_SIZE = 100;
    private static final long CALL_DELAY_MS = 5_000;
    private static final long CALL_HEARTBEAT_MS = 1_000;

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

    /** Syncs incrementally and keeps every event of {@code type} in the order served; moves to the other instance when its own dies. */
    static final class Observer implements Runnable {
        final String type;
        final List<CsApiClient> clients;
        final String roomId;
        final AtomicBoolean stop;
        final List<String> nonces = new CopyOnWriteArrayList<>();
        volatile int switches;
        /** Responses whose timeline was limited (a gap the observer would have to fill by paging). */
        volatile int gaps;
        String since;

        Observer(String type, List<CsApiClient> clients, String roomId, AtomicBoolean stop, String since) {
            this.type = type;
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
                        if (e.path("type").asText().equals(type)) {
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
        Observer observer = new Observer(TYPE, List.of(watcher, on(2, watcher)), roomId, allSent, since);

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

        Map<String, DelayedLeaveParticipant.Scheduled> byNonce = DelayedLeaveParticipant.allSent(participants, participants.size() + 1);
        allSent.set(true);
        observing.join(30_000);
        assertThat(observing.isAlive()).as("the observer caught up").isFalse();
        assertSentOnceInTimeAndSeenInOrder(byNonce, timeline(on(2, owner), roomId, TYPE), DELAY_MS, killedAt, backAt, observer);
        assertThat(forwardExtremities(roomId)).as("the room never forked: one forward extremity").isEqualTo(1);
    }

    /**
     * A MatrixRTC call of 100 with sticky memberships (MSC4354) and delayed sticky leaves
     * (MSC4140), half the participants on each instance. Each instance's sticky index serves the
     * room's sticky events, whichever instance wrote them; when instance 1 is killed with its
     * participants, instance 2 sends their leaves within the failover bound and serves them as
     * sticky events; restarted, instance 1 serves them too; and the leaves obey the same
     * once-and-never-early rules as above.
     */
    @Test
    void aStickyCallOfOneHundredSplitOverTwoInstancesSurvivesAKilledInstance() throws Exception {
        deploy();
        HomeserverProcess one = deployment.process(1);
        CsApiClient host = deployment.hs(1).client().register(Names.unique("cl-host"), PASSWORD);
        String roomId = Rooms.create(host, obj("preset", "public_chat", "power_level_content_override", obj("events", obj(MEMBER, 0))));
        CsApiClient watcher = deployment.hs(1).client().register(Names.unique("cl-cwatch"), PASSWORD);
        Rooms.join(watcher, roomId);
        String since = watcher.request("GET", "sync").query("timeout", "0").send().assertOk().path("next_batch").asText();
        AtomicBoolean allSent = new AtomicBoolean();
        Observer observer = new Observer(MEMBER, List.of(watcher, on(2, watcher)), roomId, allSent, since);
        Thread observing = Thread.ofPlatform().name("observer").start(observer);

        AtomicBoolean stop = new AtomicBoolean();
        List<DelayedLeaveParticipant> participants = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CALL_SIZE; i++) {
            CsApiClient registered = deployment.hs(1).client().register(Names.unique("cl-c" + i), PASSWORD);
            CsApiClient client = i % 2 == 0 ? registered : on(2, registered);
            Rooms.join(client, roomId);
            DelayedLeaveParticipant p = new DelayedLeaveParticipant(client, roomId, MEMBER, CALL_DELAY_MS, CALL_HEARTBEAT_MS, stop)
                    .sticky(StickyEventsApi.ONE_HOUR);
            StickyEventsApi.stickySend(client, roomId, MEMBER, Long.toString(StickyEventsApi.ONE_HOUR))
                    .json(obj("nonce", "join#" + client.userId(), "sticky_key", p.stickyKey(), "application", "m.call",
                            "call_id", "", "scope", "m.room", "device_id", "CALL", "focus_active", obj("type", "livekit")))
                    .send().assertOk();
            participants.add(p);
            threads.add(Thread.ofPlatform().name("participant").start(p));
        }

        // Both instances' sticky indexes serve every membership, whichever instance wrote it.
        for (int instance = 1; instance <= 2; instance++) assertStickyViewMatchesTheRoom(instance, host, roomId, CALL_SIZE);

        long killedAt = System.currentTimeMillis();
        one.kill();
        List<DelayedLeaveParticipant> dead = new ArrayList<>();
        for (int i = 0; i < CALL_SIZE; i += 2) {
            participants.get(i).dead = true;
            dead.add(participants.get(i));
        }
        // Instance 2 sends the dead half's leaves, and serves them as the latest sticky event of each key.
        CsApiClient survivor = newcomer(2, roomId);
        String from = null;
        Map<String, JsonNode> latest = new HashMap<>();
        long deadline = System.currentTimeMillis() + CALL_DELAY_MS + FAILOVER_BOUND_MS;
        while (!allLeft(latest, dead) && System.currentTimeMillis() < deadline) {
            JsonNode sync = StickyEventsApi.sync(survivor, from, StickyEventsApi.ONLY_EXAMPLE, from == null ? 0 : 2_000);
            from = StickyEventsApi.nextBatch(sync);
            for (JsonNode e : StickyEventsApi.stickyEvents(sync, roomId)) {
                latest.merge(e.path("content").path("sticky_key").asText(), e,
                        (was, now) -> now.path("origin_server_ts").asLong() >= was.path("origin_server_ts").asLong() ? now : was);
            }
        }
        assertThat(allLeft(latest, dead)).as("the killed instance's participants left, in the live instance's sticky sections").isTrue();
        one.start();
        long backAt = System.currentTimeMillis();
        assertStickyViewMatchesTheRoom(1, host, roomId, CALL_SIZE + dead.size());

        stop.set(true);
        for (Thread t : threads) t.join(10_000);
        Map<String, DelayedLeaveParticipant.Scheduled> byNonce = DelayedLeaveParticipant.allSent(participants, CALL_SIZE);
        allSent.set(true);
        observing.join(30_000);
        assertThat(observing.isAlive()).as("the observer caught up").isFalse();
        Timeline timeline = timeline(on(2, host), roomId, MEMBER);
        assertSentOnceInTimeAndSeenInOrder(byNonce, timeline, CALL_DELAY_MS, killedAt, backAt, observer);
        assertThat(timeline.order()).as("every join is in the room").hasSize(CALL_SIZE + byNonce.size());
        for (int instance = 1; instance <= 2; instance++) {
            assertStickyViewMatchesTheRoom(instance, host, roomId, CALL_SIZE + byNonce.size());
        }
        assertThat(forwardExtremities(roomId)).as("the room never forked: one forward extremity").isEqualTo(1);
    }

    private static boolean allLeft(Map<String, JsonNode> latest, List<DelayedLeaveParticipant> participants) {
        for (DelayedLeaveParticipant p : participants) {
            JsonNode e = latest.get(p.stickyKey());
            if (e == null || e.path("content").has("application")) return false;
        }
        return true;
    }

    /** A user who joins the room now, through instance {@code instance}. */
    private CsApiClient newcomer(int instance, String roomId) {
        CsApiClient user = on(instance, deployment.hs(instance).client().register(Names.unique("cl-new"), PASSWORD));
        Rooms.join(user, roomId);
        return user;
    }

    /**
     * A newcomer's initial sync on {@code instance}, its timeline filtered away, carries in its
     * sticky section exactly the room's sticky memberships (all of them: none is an hour old):
     * every one that was in the room before the sync and none that was not after it, at least
     * {@code atLeast}.
     */
    private void assertStickyViewMatchesTheRoom(int instance, CsApiClient host, String roomId, int atLeast) {
        CsApiClient user = newcomer(instance, roomId);
        CsApiClient reader = on(instance, host);
        List<String> before = timeline(reader, roomId, MEMBER).ids();
        // At most sticky_events.max_events_per_sync (100) come in one response; the rest in the next ones.
        List<String> sticky = new ArrayList<>();
        String since = null;
        do {
            JsonNode sync = StickyEventsApi.sync(user, since, StickyEventsApi.ONLY_EXAMPLE);
            sticky.addAll(StickyEventsApi.stickyIds(sync, roomId));
            since = StickyEventsApi.hasStickySection(sync, roomId) ? StickyEventsApi.nextBatch(sync) : null;
        } while (since != null);
        List<String> after = timeline(reader, roomId, MEMBER).ids();
        assertThat(sticky).as("instance %d's sticky section has no event twice", instance).doesNotHaveDuplicates();
        assertThat(sticky).as("instance %d's sticky section holds every sticky membership sent before", instance)
                .containsAll(before).hasSizeGreaterThanOrEqualTo(atLeast);
        assertThat(after).as("instance %d's sticky section holds only the room's sticky memberships", instance).containsAll(sticky);
    }

    /** The room's events of one type, as {@code /messages} serves them to {@code reader}. */
    private record Timeline(Map<String, List<JsonNode>> byNonce, List<String> order, List<String> ids) {}

    private static Timeline timeline(CsApiClient reader, String roomId, String type) {
        Map<String, List<JsonNode>> seen = new HashMap<>();
        List<String> order = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        String from = null;
        while (true) {
            CsRequest page = reader.request("GET", "rooms", roomId, "messages").query("dir", "f").query("limit", "500");
            if (from != null) page = page.query("from", from);
            JsonNode body = page.send().assertOk();
            for (JsonNode e : body.path("chunk")) {
                if (!e.path("type").asText().equals(type)) continue;
                String nonce = e.path("content").path("nonce").asText();
                seen.computeIfAbsent(nonce, n -> new ArrayList<>()).add(e);
                order.add(nonce);
                ids.add(e.path("event_id").asText());
            }
            if (!body.hasNonNull("end") || body.path("chunk").isEmpty()) break;
            from = body.path("end").asText();
        }
        return new Timeline(seen, order, ids);
    }

    /**
     * Every acknowledged delayed event became exactly one event, never before its last
     * acknowledged restart plus the delay, and no later than the failover bound when it fell due
     * while instance 1 was dead (5 s otherwise); nothing in the room came twice; and the observer
     * saw the room's events once each, in the room's order, across its switch of instance.
     */
    private static void assertSentOnceInTimeAndSeenInOrder(Map<String, DelayedLeaveParticipant.Scheduled> byNonce, Timeline timeline,
                                                           long delayMs, long killedAt, long backAt, Observer observer) {
        assertThat(byNonce).as("delayed events").isNotEmpty();
        for (DelayedLeaveParticipant.Scheduled s : byNonce.values()) {
            List<JsonNode> copies = timeline.byNonce().getOrDefault(s.nonce, List.of());
            assertThat(copies).as("event %s sent exactly once", s.nonce).hasSize(1);
            long sentTs = copies.get(0).path("origin_server_ts").asLong();
            long earliestDue = s.lastAckedRequestAt + delayMs;
            assertThat(sentTs).as("event %s never earlier than its last acknowledged restart + delay", s.nonce)
                    .isGreaterThanOrEqualTo(earliestDue);
            JsonNode record = s.owner.client.requestAt("GET", "_matrix", "client", "unstable", "org.matrix.msc4140",
                    "delayed_events", s.delayId).send().assertOk();
            assertThat(record.path("finalised_ts").asLong()).as("event %s finalised once sent", s.nonce).isGreaterThanOrEqualTo(sentTs);
            // Due while instance 1 was dead: instance 2 sends it within the bound; otherwise whichever instance, promptly.
            // (Measured from the earliest it can have been due, which can only make it look later.)
            // An event due up to the normal bound before the kill may have been caught by it too.
            boolean dueWhileDead = earliestDue >= killedAt - 5_000 && earliestDue <= backAt;
            assertThat(sentTs - earliestDue).as("event %s sent within the failover bound", s.nonce)
                    .isLessThan(dueWhileDead ? FAILOVER_BOUND_MS : 5_000);
        }
        for (Map.Entry<String, List<JsonNode>> e : timeline.byNonce().entrySet()) {
            assertThat(e.getValue()).as("copies of %s", e.getKey()).hasSize(1);
        }
        assertThat(observer.switches).as("the observer moved to the live instance").isPositive();
        assertThat(observer.gaps).as("timelines the observer got limited").isZero();
        assertThat(observer.nonces).as("the observer saw every event once, in the room's order").isEqualTo(timeline.order());
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
