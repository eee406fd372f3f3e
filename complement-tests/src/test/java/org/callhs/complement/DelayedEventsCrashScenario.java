package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsRequest;
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
 * Delayed events under heartbeat load while the server is killed with SIGKILL again and again.
 * Participants behave like MatrixRTC clients: each keeps one delayed message scheduled and
 * restarts it every 300 ms; when a restart answers 404 (the event fired) it schedules a new one.
 * Some participants stop heartbeating at random moments, so their events fire on timeout while
 * the server runs; others fall due while it is down and fire right after it comes back.
 *
 * <p>Afterwards every acknowledged delayed event must have been sent exactly once (its unique
 * nonce appears once in the room), never before the due time of its last acknowledged restart
 * ({@code origin_server_ts} is the due time, and it is sent no earlier), and promptly: within
 * a few seconds of its due time, or of the server being back when it fell due during a crash.
 */
@HomeserverScenario
class DelayedEventsCrashScenario {
    private static final String PASSWORD = "crash-delayed-password";
    private static final String TYPE = "org.example.leave";
    private static final long DELAY_MS = 2_000;
    private static final long HEARTBEAT_MS = 300;
    /** Generous for a loaded CI machine: the benchmark measures punctuality, this proves "not stuck". */
    private static final long PROMPT_MS = 5_000;
    private static final int PARTICIPANTS = 16;
    private static final int KILLS = 5;

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, DelayedEventsCrashScenario.class,
                HomeserverOptions.defaults().requiringProcessControl("kills and restarts the homeserver under load"));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static HomeserverProcess server() { return deployment.process1(); }

    record Downtime(long killedAt, long backAt) {}

    @Test
    void delayedEventsFireExactlyOnceAndNeverEarlyAcrossKills() throws Exception {
        CsApiClient owner = server().client().register(Names.unique("crash-owner"), PASSWORD);
        String roomId = Rooms.create(owner, obj("preset", "public_chat", "power_level_content_override", obj("events", obj(TYPE, 0))));
        AtomicBoolean stop = new AtomicBoolean();
        List<DelayedLeaveParticipant> participants = new ArrayList<>();
        for (int i = 0; i < PARTICIPANTS; i++) {
            CsApiClient c = server().client().register(Names.unique("crash-p" + i), PASSWORD);
            Rooms.join(c, roomId);
            participants.add(new DelayedLeaveParticipant(c, roomId, TYPE, DELAY_MS, HEARTBEAT_MS, stop));
        }
        List<Thread> threads = new ArrayList<>();
        for (DelayedLeaveParticipant p : participants) threads.add(Thread.ofPlatform().name("participant").start(p));

        Random random = new Random(42);
        List<Downtime> downtimes = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            Thread.sleep(1_500 + random.nextInt(2_500));
            // Some participants die for good: their events fire on timeout while the server runs.
            participants.get(random.nextInt(PARTICIPANTS)).dead = true;
            long killedAt = System.currentTimeMillis();
            server().kill();
            // Alternately short and longer than the delay, so some events also fall due while it is down.
            Thread.sleep(kill % 2 == 0 ? 200 : 2_500);
            server().start();
            downtimes.add(new Downtime(killedAt, System.currentTimeMillis()));
        }
        Thread.sleep(2_000);
        stop.set(true);
        for (Thread t : threads) t.join(10_000);

        // Every acknowledged event falls due within DELAY_MS of the last heartbeat: wait for all to be finalised.
        Map<String, DelayedLeaveParticipant.Scheduled> byNonce = DelayedLeaveParticipant.allSent(participants, participants.size() + 1);

        Map<String, List<JsonNode>> seen = new HashMap<>();
        String from = null;
        while (true) {
            CsRequest page = owner.request("GET", "rooms", roomId, "messages").query("dir", "f").query("limit", "500");
            if (from != null) page = page.query("from", from);
            JsonNode body = page.send().assertOk();
            for (JsonNode e : body.path("chunk")) {
                if (e.path("type").asText().equals(TYPE)) seen.computeIfAbsent(e.path("content").path("nonce").asText(), n -> new ArrayList<>()).add(e);
            }
            if (!body.hasNonNull("end") || body.path("chunk").isEmpty()) break;
            from = body.path("end").asText();
        }

        for (DelayedLeaveParticipant.Scheduled s : byNonce.values()) {
            List<JsonNode> copies = seen.getOrDefault(s.nonce, List.of());
            assertThat(copies).as("event %s sent exactly once", s.nonce).hasSize(1);
            JsonNode event = copies.get(0);
            long due = event.path("origin_server_ts").asLong();
            assertThat(due).as("event %s never earlier than its last acknowledged restart + delay", s.nonce)
                    .isGreaterThanOrEqualTo(s.lastAckedRequestAt + DELAY_MS);
            JsonNode record = s.owner.client.requestAt("GET", "_matrix", "client", "unstable", "org.matrix.msc4140",
                    "delayed_events", s.delayId).send().assertOk();
            assertThat(record.path("event_id").asText()).isEqualTo(event.path("event_id").asText());
            long sentAt = record.path("finalised_ts").asLong();
            assertThat(sentAt).as("event %s not sent before it was due", s.nonce).isGreaterThanOrEqualTo(due);
            long expectedBy = due;
            for (Downtime d : downtimes) if (due >= d.killedAt() && due <= d.backAt()) expectedBy = d.backAt();
            assertThat(sentAt - expectedBy).as("event %s sent promptly", s.nonce).isLessThan(PROMPT_MS);
        }
        // Nonces nobody acknowledged (requests in flight at a kill) were sent at most once.
        for (Map.Entry<String, List<JsonNode>> e : seen.entrySet()) assertThat(e.getValue()).as("copies of %s", e.getKey()).hasSize(1);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
