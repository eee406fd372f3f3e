package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MatrixRTC across two servers (issue 15), run by {@code bench/run-federated-call-bench.sh}; each
 * mode prints one JSON line on stdout.
 * <ul>
 *   <li>{@code call}: one call of {@code --participants} participants, half on each server
 *       ({@code --a} creates the room, {@code --b}'s join over federation), in matrix-js-sdk's sticky
 *       shape: each participant, at a random instant of the first {@value #JOIN_SPREAD_MS} ms,
 *       schedules its delayed sticky leave ({@code --delay} ms) and sends its sticky membership
 *       ({@value #MEMBER_TYPE}, one hour), then restarts the leave every {@value #HEARTBEAT_MS} ms.
 *       {@value #KILLED_PERCENT} % of them, at random instants of the window, stop restarting (a
 *       client that died), so their server must send their leave. One watcher on each server
 *       long-polls {@code /sync} (timeline and sticky section). Figures: how long a membership took
 *       to reach the other server's watcher (from the send's start), and each killed participant's
 *       leave as the other server's watcher saw it, against the latest instant it was due (the
 *       answer to its last restart plus the delay): late by how much, early, or never seen (lost);
 *       failed requests; each server's CPU time and peak resident memory over the window.</li>
 *   <li>{@code join-sticky}: {@code --events} unexpired sticky events in a room on {@code --a}
 *       (sent by {@value #STICKY_SENDERS} users); a fresh user of {@code --b} joins through {@code --a}
 *       and syncs (an initial sync, then incremental ones) until its {@code /sync} has held every one of
 *       them, in the timeline or the sticky section. Figure: seconds from the join request to the
 *       last one seen, or how many were seen when {@code --wait} seconds ran out.</li>
 * </ul>
 */
public final class FederatedCallBench {
    static final String MEMBER_TYPE = "org.matrix.msc4143.rtc.member";
    static final long STICKY_MS = 3_600_000;
    static final long HEARTBEAT_MS = 5_000;
    static final long JOIN_SPREAD_MS = 10_000;
    static final int KILLED_PERCENT = 10;
    static final int STICKY_SENDERS = 50;

    private final TwoServers servers = new TwoServers();

    private FederatedCallBench() {}

    public static void main(String[] args) throws Exception {
        java.util.function.Consumer<String> usage = FederatedCallBench::usage;
        Map<String, String> options = TwoServers.options(args, usage);
        String mode = options.getOrDefault("mode", "");
        if (mode.equals("report")) {
            report(java.nio.file.Path.of(TwoServers.require(options, "dir", usage)));
            return;
        }
        LoopbackTarget a = LoopbackTarget.parse(TwoServers.require(options, "a", usage));
        LoopbackTarget b = LoopbackTarget.parse(TwoServers.require(options, "b", usage));
        FederatedCallBench bench = new FederatedCallBench();
        ObjectNode result = switch (mode) {
            case "call" -> bench.call(a, b, TwoServers.intOption(options, "participants", 200, usage),
                    TwoServers.intOption(options, "seconds", 60, usage), TwoServers.intOption(options, "delay", 8_000, usage),
                    Long.parseLong(options.getOrDefault("a-pid", "0")), Long.parseLong(options.getOrDefault("b-pid", "0")));
            case "join-sticky" -> bench.joinSticky(a, b, TwoServers.intOption(options, "events", 500, usage),
                    TwoServers.intOption(options, "wait", 120, usage));
            default -> {
                usage("--mode must be call, join-sticky or report");
                yield null;
            }
        };
        result.put("label", options.getOrDefault("label", "run"));
        result.put("mode", mode);
        System.out.println(TwoServers.JSON.writeValueAsString(result));
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("FederatedCallBench: " + problem + "\nusage: --mode call|join-sticky|report --a URL --b URL [--label L] "
                + "[--participants N] [--seconds N] [--delay MS] [--a-pid PID] [--b-pid PID] [--events N] [--wait S] [--dir DIR]");
        System.exit(2);
    }

    // ---- a call across two servers ------------------------------------------------------------

    /** One participant: its account, its server, and what it did and when (nanoTime). */
    private static final class Participant {
        final int index;
        final MatrixClient.Session session;
        final LoopbackTarget server;
        final boolean onA;
        volatile long joinSentAt;
        volatile long killedAt;
        volatile long lastRestartSentAt;
        volatile long lastRestartAnsweredAt;
        volatile String delayId;

        Participant(int index, MatrixClient.Session session, LoopbackTarget server, boolean onA) {
            this.index = index;
            this.session = session;
            this.server = server;
            this.onA = onA;
        }
    }

    /** What one watcher saw: membership joins and leaves by participant index, when (nanoTime). */
    private static final class Sightings {
        final Map<Integer, Long> joins = new ConcurrentHashMap<>();
        final Map<Integer, Long> leaves = new ConcurrentHashMap<>();
    }

    private ObjectNode call(LoopbackTarget a, LoopbackTarget b, int count, int seconds, int delayMs, long aPid, long bPid)
            throws Exception {
        int onA = count / 2;
        List<MatrixClient.Session> accountsA = servers.registerMany(a, "pa", onA + 1);
        List<MatrixClient.Session> accountsB = servers.registerMany(b, "pb", count - onA + 1);
        MatrixClient.Session watcherA = accountsA.get(onA);
        MatrixClient.Session watcherB = accountsB.get(count - onA);
        String roomId = servers.client(a).createRoom(watcherA.accessToken(), "public_chat", "bench call " + servers.runId);
        String serverA = TwoServers.serverOf(watcherA);
        TwoServers.forEach(accountsB, s -> servers.client(b).joinRoomVia(s.accessToken(), roomId, serverA));
        TwoServers.forEach(accountsA.subList(0, onA), s -> servers.client(a).joinRoom(s.accessToken(), roomId));
        servers.awaitMembers(a, watcherA, roomId, count + 2);
        servers.awaitMembers(b, watcherB, roomId, count + 2);
        log("room %s holds %d participants (%d on each server) and two watchers", roomId, count, onA);

        List<Participant> participants = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean here = i < onA;
            participants.add(new Participant(i, here ? accountsA.get(i) : accountsB.get(i - onA), here ? a : b, here));
        }
        Sightings seenOnA = new Sightings();
        Sightings seenOnB = new Sightings();
        long windowNanos = seconds * 1_000_000_000L;
        long start = System.nanoTime() + 1_000_000_000L;
        long end = start + windowNanos;
        long graceEnd = end + (delayMs + 15_000L) * 1_000_000L;
        Thread watchA = watch(a, watcherA, roomId, seenOnA, graceEnd);
        Thread watchB = watch(b, watcherB, roomId, seenOnB, graceEnd);

        SplittableRandom random = new SplittableRandom(42);
        Set<Integer> killed = new HashSet<>();
        while (killed.size() < count * KILLED_PERCENT / 100) killed.add(random.nextInt(count));
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long firstKill = start + JOIN_SPREAD_MS * 1_000_000L + delayMs * 1_000_000L;
        for (Participant p : participants) {
            long joinAt = start + random.nextLong(JOIN_SPREAD_MS) * 1_000_000L;
            long killAt = killed.contains(p.index) ? firstKill + random.nextLong(Math.max(1, end - firstKill - delayMs * 1_000_000L))
                    : Long.MAX_VALUE;
            threads.add(Thread.ofVirtual().start(() -> runParticipant(p, roomId, joinAt, killAt, end, delayMs, failures)));
        }
        long cpuA0 = ProcFs.cpuNanos(aPid);
        long cpuB0 = ProcFs.cpuNanos(bPid);
        long peakA = 0;
        long peakB = 0;
        while (System.nanoTime() < end) {
            peakA = Math.max(peakA, ProcFs.residentKiB(aPid));
            peakB = Math.max(peakB, ProcFs.residentKiB(bPid));
            Thread.sleep(500);
        }
        long cpuA = ProcFs.cpuNanos(aPid) - cpuA0;
        long cpuB = ProcFs.cpuNanos(bPid) - cpuB0;
        for (Thread t : threads) t.join();
        watchA.join();
        watchB.join();

        // Memberships: to the other server (the figure) and to the sender's own (for comparison).
        SampleBuffer across = new SampleBuffer();
        SampleBuffer local = new SampleBuffer();
        int joinsMissing = 0;
        for (Participant p : participants) {
            if (p.joinSentAt == 0) continue;
            Long there = (p.onA ? seenOnB : seenOnA).joins.get(p.index);
            Long here = (p.onA ? seenOnA : seenOnB).joins.get(p.index);
            if (there == null) joinsMissing++; else across.add(Math.max(0, there - p.joinSentAt));
            if (here != null) local.add(Math.max(0, here - p.joinSentAt));
        }
        // Leaves of killed participants as the other server saw them.
        SampleBuffer lateness = new SampleBuffer();
        int lost = 0;
        int early = 0;
        int leavesExpected = 0;
        long latestLateNanos = 0;
        for (Participant p : participants) {
            if (p.killedAt == 0 || p.lastRestartAnsweredAt == 0) continue;
            leavesExpected++;
            Long seen = (p.onA ? seenOnB : seenOnA).leaves.get(p.index);
            if (seen == null) {
                lost++;
                continue;
            }
            if (seen < p.lastRestartSentAt + delayMs * 1_000_000L) early++;
            long late = seen - (p.lastRestartAnsweredAt + delayMs * 1_000_000L);
            latestLateNanos = Math.max(latestLateNanos, late);
            lateness.add(Math.max(0, late));
        }
        LatencyStats acrossStats = LatencyStats.of(across);
        LatencyStats localStats = LatencyStats.of(local);
        LatencyStats lateStats = LatencyStats.of(lateness);
        ObjectNode out = TwoServers.JSON.createObjectNode();
        out.put("participants", count).put("seconds", seconds).put("delay_ms", delayMs).put("heartbeat_ms", HEARTBEAT_MS)
                .put("membership_across_count", acrossStats.count())
                .put("membership_across_p50_ms", acrossStats.percentileNanos(50) / 1e6)
                .put("membership_across_p99_ms", acrossStats.percentileNanos(99) / 1e6)
                .put("membership_across_max_ms", acrossStats.percentileNanos(100) / 1e6)
                .put("membership_local_p50_ms", localStats.percentileNanos(50) / 1e6)
                .put("membership_local_p99_ms", localStats.percentileNanos(99) / 1e6)
                .put("memberships_missing", joinsMissing)
                .put("leaves_expected", leavesExpected).put("leaves_lost", lost).put("leaves_early", early)
                .put("leave_late_p50_ms", lateStats.percentileNanos(50) / 1e6)
                .put("leave_late_p99_ms", lateStats.percentileNanos(99) / 1e6)
                .put("leave_late_max_ms", latestLateNanos / 1e6)
                .put("failed_requests", failures.get())
                .put("a_cpu_seconds", cpuA / 1e9).put("b_cpu_seconds", cpuB / 1e9)
                .put("a_peak_rss_mib", peakA / 1024.0).put("b_peak_rss_mib", peakB / 1024.0);
        log("memberships across p50 %.1f ms p99 %.1f ms (%d missing); leaves %d expected, %d lost, %d early, late p99 %.0f ms",
                out.path("membership_across_p50_ms").asDouble(), out.path("membership_across_p99_ms").asDouble(), joinsMissing,
                leavesExpected, lost, early, out.path("leave_late_p99_ms").asDouble());
        return out;
    }

    /** A participant's life: join at {@code joinAt}, restart every heartbeat until it is killed or the window ends. */
    private void runParticipant(Participant p, String roomId, long joinAt, long killAt, long end, int delayMs, AtomicLong failures) {
        MatrixClient client = servers.client(p.server);
        String key = p.session.userId() + "_DEVICE";
        try {
            sleepUntil(joinAt);
            ObjectNode leave = TwoServers.JSON.createObjectNode().put("msc4354_sticky_key", key).put("bench_leave", p.index);
            long sent = System.nanoTime();
            p.delayId = client.scheduleDelayedSticky(p.session.accessToken(), roomId, MEMBER_TYPE, "l" + p.index, leave, delayMs,
                    STICKY_MS);
            p.lastRestartSentAt = sent;
            p.lastRestartAnsweredAt = System.nanoTime();
            ObjectNode member = TwoServers.JSON.createObjectNode().put("msc4354_sticky_key", key).put("bench_join", p.index);
            member.putObject("member").put("id", key).put("claimed_user_id", p.session.userId());
            p.joinSentAt = System.nanoTime();
            client.sendSticky(p.session.accessToken(), roomId, MEMBER_TYPE, "j" + p.index, member, STICKY_MS);
            long next = p.lastRestartSentAt + HEARTBEAT_MS * 1_000_000L;
            while (next < end) {
                if (next >= killAt) {
                    p.killedAt = killAt;
                    return;
                }
                sleepUntil(next);
                long restartSent = System.nanoTime();
                try {
                    client.delayedEventAction(p.session.accessToken(), p.delayId, "restart");
                    p.lastRestartSentAt = restartSent;
                    p.lastRestartAnsweredAt = System.nanoTime();
                } catch (RequestFailure e) {
                    failures.incrementAndGet();
                }
                next += HEARTBEAT_MS * 1_000_000L;
            }
            try {
                client.delayedEventAction(p.session.accessToken(), p.delayId, "cancel");
            } catch (RequestFailure e) {
                failures.incrementAndGet();
            }
        } catch (Exception e) {
            failures.incrementAndGet();
            log("participant %d failed: %s", p.index, e);
        }
    }

    /** Long-polls the room on {@code target} until {@code until}, noting each membership and leave the first time it is seen. */
    private Thread watch(LoopbackTarget target, MatrixClient.Session watcher, String roomId, Sightings seen, long until) {
        String filter = "{\"room\":{\"rooms\":[" + TwoServers.JSON.valueToTree(roomId) + "],\"timeline\":{\"limit\":200}},"
                + "\"presence\":{\"not_types\":[\"*\"]},\"account_data\":{\"not_types\":[\"*\"]}}";
        return Thread.ofPlatform().name("watcher-" + target).start(() -> {
            MatrixClient client = servers.client(target);
            String since = null;
            while (System.nanoTime() < until) {
                try {
                    JsonNode sync = TwoServers.JSON.readTree(client.sync(watcher.accessToken(), since, since == null ? 0 : 5_000, filter).body());
                    long now = System.nanoTime();
                    since = sync.path("next_batch").asText(since);
                    JsonNode room = sync.path("rooms").path("join").path(roomId);
                    List<JsonNode> events = new ArrayList<>();
                    room.path("timeline").path("events").forEach(events::add);
                    room.path("msc4354_sticky").path("events").forEach(events::add);
                    for (JsonNode event : events) {
                        if (!MEMBER_TYPE.equals(event.path("type").asText())) continue;
                        JsonNode content = event.path("content");
                        if (content.has("bench_join")) seen.joins.putIfAbsent(content.path("bench_join").asInt(), now);
                        if (content.has("bench_leave")) seen.leaves.putIfAbsent(content.path("bench_leave").asInt(), now);
                    }
                } catch (Exception e) {
                    log("watcher on %s: %s", target, e);
                    sleepQuietly(200);
                }
            }
        });
    }

    // ---- a server joining a room with many sticky events ------------------------------------------

    private ObjectNode joinSticky(LoopbackTarget resident, LoopbackTarget joiner, int events, int waitSeconds) throws Exception {
        List<MatrixClient.Session> senders = servers.registerMany(resident, "ss", STICKY_SENDERS);
        MatrixClient.Session creator = senders.get(0);
        String roomId = servers.client(resident).createRoom(creator.accessToken(), "public_chat", "bench sticky join " + servers.runId);
        TwoServers.forEach(senders.subList(1, senders.size()), s -> servers.client(resident).joinRoom(s.accessToken(), roomId));
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < events; i++) indexes.add(i);
        TwoServers.forEach(indexes, i -> {
            MatrixClient.Session sender = senders.get(i % senders.size());
            ObjectNode content = TwoServers.JSON.createObjectNode().put("msc4354_sticky_key", "k" + i).put("bench_sticky", i);
            servers.client(resident).sendSticky(sender.accessToken(), roomId, MEMBER_TYPE, "s" + i, content, STICKY_MS);
        });
        log("room %s holds %d sticky events from %d senders", roomId, events, senders.size());
        MatrixClient.Session user = servers.client(joiner).register(UserNames.account(servers.runId, "sj"), UserNames.password(servers.runId));
        String filter = "{\"room\":{\"rooms\":[" + TwoServers.JSON.valueToTree(roomId) + "],\"timeline\":{\"limit\":50}},"
                + "\"presence\":{\"not_types\":[\"*\"]},\"account_data\":{\"not_types\":[\"*\"]}}";
        long t0 = System.nanoTime();
        servers.client(joiner).joinRoomVia(user.accessToken(), roomId, TwoServers.serverOf(creator));
        double joinedSeconds = (System.nanoTime() - t0) / 1e9;
        Set<Integer> seen = new HashSet<>();
        long deadline = t0 + waitSeconds * 1_000_000_000L;
        String since = null;
        double allSeconds = -1;
        while (System.nanoTime() < deadline) {
            JsonNode sync = TwoServers.JSON.readTree(servers.client(joiner).sync(user.accessToken(), since, since == null ? 0 : 2_000,
                    filter).body());
            since = sync.path("next_batch").asText(since);
            JsonNode room = sync.path("rooms").path("join").path(roomId);
            for (String section : List.of("timeline", "msc4354_sticky")) {
                for (JsonNode event : room.path(section).path("events")) {
                    if (event.path("content").has("bench_sticky") && event.path("unsigned").path("msc4354_sticky_duration_ttl_ms").asLong() > 0) {
                        seen.add(event.path("content").path("bench_sticky").asInt());
                    }
                }
            }
            if (seen.size() >= events) {
                allSeconds = (System.nanoTime() - t0) / 1e9;
                break;
            }
        }
        ObjectNode out = TwoServers.JSON.createObjectNode();
        out.put("events", events).put("join_seconds", joinedSeconds).put("seen", seen.size()).put("all_seen_seconds", allSeconds)
                .put("wait_seconds", waitSeconds);
        log("joined after %.2f s; %d of %d sticky events in /sync %s", joinedSeconds, seen.size(), events,
                allSeconds < 0 ? "when the wait ran out" : String.format(Locale.ROOT, "after %.2f s", allSeconds));
        return out;
    }

    // ---- report ---------------------------------------------------------------------------------

    private static void report(java.nio.file.Path dir) throws java.io.IOException {
        StringBuilder out = new StringBuilder();
        List<JsonNode> calls = TwoServers.results(dir, "call-");
        if (!calls.isEmpty()) {
            out.append("| servers (A + B) | participants | membership to the other server p50 / p99 / max (ms) | same server p50 / p99 (ms) "
                    + "| leaves: expected / lost / early | leave late p50 / p99 (ms) | failed requests | CPU s A / B | peak RSS MiB A / B |\n");
            out.append("|---|---|---|---|---|---|---|---|---|\n");
            for (JsonNode r : calls) {
                out.append(String.format(Locale.ROOT, "| %s | %d | **%.1f / %.1f** / %.1f | %.1f / %.1f | %d / %d / %d | %.0f / %.0f | %d | %.1f / %.1f | %.0f / %.0f |%n",
                        r.path("label").asText(), r.path("participants").asInt(), r.path("membership_across_p50_ms").asDouble(),
                        r.path("membership_across_p99_ms").asDouble(), r.path("membership_across_max_ms").asDouble(),
                        r.path("membership_local_p50_ms").asDouble(), r.path("membership_local_p99_ms").asDouble(),
                        r.path("leaves_expected").asInt(), r.path("leaves_lost").asInt(), r.path("leaves_early").asInt(),
                        r.path("leave_late_p50_ms").asDouble(), r.path("leave_late_p99_ms").asDouble(), r.path("failed_requests").asLong(),
                        r.path("a_cpu_seconds").asDouble(), r.path("b_cpu_seconds").asDouble(), r.path("a_peak_rss_mib").asDouble(),
                        r.path("b_peak_rss_mib").asDouble()));
            }
            out.append('\n');
        }
        List<JsonNode> joins = TwoServers.results(dir, "join-sticky-");
        if (!joins.isEmpty()) {
            out.append("| resident -> joiner | sticky events | join answered (s) | all in the joiner's /sync (s) | seen |\n");
            out.append("|---|---|---|---|---|\n");
            for (JsonNode r : joins) {
                double all = r.path("all_seen_seconds").asDouble();
                out.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %s | %d of %d |%n", r.path("label").asText(), r.path("events").asInt(),
                        r.path("join_seconds").asDouble(), all < 0 ? "not within " + r.path("wait_seconds").asInt() + " s"
                                : String.format(Locale.ROOT, "**%.2f**", all), r.path("seen").asInt(), r.path("events").asInt()));
            }
        }
        System.out.print(out);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[federated-call] " + format + "%n", args);
    }
}
