package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two instances of one homeserver in cluster mode (issue 20), run by
 * {@code bench/run-cluster-bench.sh}; each mode prints one JSON line on stdout.
 * <ul>
 *   <li>{@code wake}: {@code --pairs} rooms, each with a sender on instance A and two receivers
 *       long-polling {@code /sync}, one on A and one on B. For {@code --seconds} each sender sends a
 *       message every {@value #SEND_EVERY_MS} ms (after {@value #WARMUP_SECONDS} s of the same, not counted); figure: from the start of the send to the moment
 *       each receiver's long-poll returned with it, p50/p99/max, same instance against the other
 *       instance. Also each instance's CPU time and PostgreSQL's committed transactions per message
 *       over the window (the doorbell and the other instance's reads included).</li>
 *   <li>{@code contend}: {@code --rooms} rooms, each written by {@code --writers} senders in a closed
 *       loop (each sends its next message when the last was answered), alternately through A and
 *       B (with one instance, both are the same); with {@code --route room}, all writers of a room
 *       through one instance, the rooms alternately on A and B (what a proxy routing sends by room
 *       does). Figures: messages per second, send latency
 *       p50/p99, CPU and commits per message, and how long the database's backends waited on
 *       locks (sampled, {@link LockSampler}): with two instances, writers of one room on
 *       different instances queue on the room's row lock instead of in one process.</li>
 *   <li>{@code failover}: {@code --events} delayed events scheduled through A ({@code --delay} ms),
 *       then A is killed ({@code SIGKILL}, {@code --a-pid}) {@value #KILL_AFTER_MS} ms later, before
 *       any is due. Figure: for each event, how long after its due time B sent it (its
 *       {@code finalised_ts} against {@code running_since + delay}), p50/p99/max, and how many were
 *       sent once, early, or never within the wait.</li>
 * </ul>
 */
public final class ClusterBench {
    static final long SEND_EVERY_MS = 200;
    static final long KILL_AFTER_MS = 500;
    static final long WARMUP_SECONDS = 10;
    static final int PER_OWNER = 50;

    private final TwoServers servers = new TwoServers();

    private ClusterBench() {}

    public static void main(String[] args) throws Exception {
        java.util.function.Consumer<String> usage = ClusterBench::usage;
        Map<String, String> options = TwoServers.options(args, usage);
        String mode = options.getOrDefault("mode", "");
        LoopbackTarget a = LoopbackTarget.parse(TwoServers.require(options, "a", usage));
        LoopbackTarget b = LoopbackTarget.parse(TwoServers.require(options, "b", usage));
        long aPid = Long.parseLong(options.getOrDefault("a-pid", "0"));
        long bPid = Long.parseLong(options.getOrDefault("b-pid", "0"));
        ClusterBench bench = new ClusterBench();
        String commits = options.getOrDefault("commits", "");
        String locks = options.getOrDefault("locks", "");
        ObjectNode result = switch (mode) {
            case "wake" -> bench.wake(a, b, TwoServers.intOption(options, "pairs", 20, usage),
                    TwoServers.intOption(options, "seconds", 30, usage), aPid, bPid, commits, locks);
            case "contend" -> bench.contend(a, b, TwoServers.intOption(options, "rooms", 4, usage),
                    TwoServers.intOption(options, "writers", 8, usage), TwoServers.intOption(options, "seconds", 30, usage),
                    "room".equals(options.get("route")), aPid, bPid, commits, locks);
            case "failover" -> bench.failover(a, b, TwoServers.intOption(options, "events", 200, usage),
                    TwoServers.intOption(options, "delay", 3_000, usage), TwoServers.intOption(options, "wait", 60, usage), aPid);
            default -> {
                usage("--mode must be wake, contend or failover");
                yield null;
            }
        };
        result.put("mode", mode);
        System.out.println(TwoServers.JSON.writeValueAsString(result));
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("ClusterBench: " + problem + "\nusage: --mode wake|contend|failover --a URL --b URL [--a-pid PID] [--b-pid PID] "
                + "[--pairs N] [--rooms N] [--writers N] [--route writer|room] [--seconds N] [--commits COMMAND] [--locks COMMAND] [--events N] [--delay MS] [--wait S]");
        System.exit(2);
    }

    // ---- wake latency -------------------------------------------------------------------------

    private ObjectNode wake(LoopbackTarget a, LoopbackTarget b, int pairs, int seconds, long aPid, long bPid, String commitsFile,
                            String locksCommand) throws Exception {
        List<MatrixClient.Session> senders = servers.registerMany(a, "ws", pairs);
        List<MatrixClient.Session> onA = servers.registerMany(a, "wa", pairs);
        List<MatrixClient.Session> onBAccounts = servers.registerMany(a, "wb", pairs);
        List<MatrixClient.Session> onB = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String user = onBAccounts.get(i).userId();
            onB.add(servers.client(b).login(user.substring(1, user.indexOf(':')), UserNames.password(servers.runId)));
        }
        List<String> rooms = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            String roomId = servers.client(a).createRoom(senders.get(i).accessToken(), "public_chat", "wake " + i);
            servers.client(a).joinRoom(onA.get(i).accessToken(), roomId);
            servers.client(b).joinRoom(onB.get(i).accessToken(), roomId);
            rooms.add(roomId);
        }
        // body -> nanoTime its send started
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        SampleBuffer same = new SampleBuffer(1 << 16);
        SampleBuffer cross = new SampleBuffer(1 << 16);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            threads.add(poller(a, onA.get(i), rooms.get(i), sentAt, same, stop, failures));
            threads.add(poller(b, onB.get(i), rooms.get(i), sentAt, cross, stop, failures));
        }
        Thread.sleep(1_000);
        // A warm-up of WARMUP_SECONDS (JIT, caches) is sent the same way and not counted.
        AtomicLong sent = new AtomicLong();
        long measureFrom = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        for (int i = 0; i < pairs; i++) {
            int index = i;
            threads.add(Thread.ofPlatform().name("sender").start(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    String body = "w" + index + "-" + (n++);
                    long started = System.nanoTime();
                    if (started >= measureFrom) sentAt.put(body, started);
                    try {
                        servers.client(a).sendText(senders.get(index).accessToken(), rooms.get(index), body, body);
                        if (started >= measureFrom) sent.incrementAndGet();
                    } catch (RequestFailure e) {
                        failures.incrementAndGet();
                    }
                    sleep(SEND_EVERY_MS);
                }
            }));
        }
        while (System.nanoTime() < measureFrom) sleep(50);
        long commits0 = Commits.read(commitsFile);
        long cpuA0 = ProcFs.cpuNanos(aPid);
        long cpuB0 = ProcFs.cpuNanos(bPid);
        LockSampler locks = LockSampler.start(locksCommand);
        while (System.nanoTime() < end) sleep(100);
        sleep(2_000);
        long cpuA = ProcFs.cpuNanos(aPid) - cpuA0;
        long cpuB = ProcFs.cpuNanos(bPid) - cpuB0;
        long commits = Commits.read(commitsFile) - commits0;
        ObjectNode out = TwoServers.JSON.createObjectNode();
        if (locks != null) locks.stop(out);
        stop.set(true);
        for (Thread t : threads) t.join(15_000);
        LatencyStats sameStats = LatencyStats.of(same);
        LatencyStats crossStats = LatencyStats.of(cross);
        out.put("pairs", pairs).put("seconds", seconds).put("messages", sent.get()).put("failures", failures.get());
        put(out, "same", sameStats);
        put(out, "cross", crossStats);
        out.put("a_cpu_ms_per_message", sent.get() == 0 ? 0 : cpuA / 1e6 / sent.get());
        out.put("b_cpu_ms_per_message", sent.get() == 0 ? 0 : cpuB / 1e6 / sent.get());
        out.put("commits_per_message", commits < 0 || sent.get() == 0 ? -1 : (double) commits / sent.get());
        return out;
    }

    // ---- writers of the same rooms on both instances ----------------------------------------------

    private ObjectNode contend(LoopbackTarget a, LoopbackTarget b, int roomCount, int writersPerRoom, int seconds, boolean byRoom,
                               long aPid, long bPid, String commitsFile, String locksCommand) throws Exception {
        int writerCount = roomCount * writersPerRoom;
        List<MatrixClient.Session> accounts = servers.registerMany(a, "cw", writerCount);
        List<String> rooms = new ArrayList<>();
        List<MatrixClient.Session> writers = new ArrayList<>();
        List<LoopbackTarget> targets = new ArrayList<>();
        for (int r = 0; r < roomCount; r++) {
            String roomId = servers.client(a).createRoom(accounts.get(r * writersPerRoom).accessToken(), "public_chat", "contend " + r);
            rooms.add(roomId);
            for (int w = 0; w < writersPerRoom; w++) {
                MatrixClient.Session account = accounts.get(r * writersPerRoom + w);
                LoopbackTarget target = (byRoom ? r : w) % 2 == 0 ? a : b;
                MatrixClient.Session session = account;
                if (target != a) {
                    String user = account.userId();
                    session = servers.client(b).login(user.substring(1, user.indexOf(':')), UserNames.password(servers.runId));
                }
                if (w > 0) servers.client(target).joinRoom(session.accessToken(), roomId);
                writers.add(session);
                targets.add(target);
            }
        }
        SampleBuffer latency = new SampleBuffer(1 << 20);
        AtomicLong sent = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        long measureFrom = System.nanoTime() + WARMUP_SECONDS * 1_000_000_000L;
        long end = measureFrom + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < writerCount; i++) {
            MatrixClient.Session writer = writers.get(i);
            LoopbackTarget target = targets.get(i);
            String roomId = rooms.get(i / writersPerRoom);
            int index = i;
            threads.add(Thread.ofPlatform().name("writer").start(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    String body = "c" + index + "-" + (n++);
                    long started = System.nanoTime();
                    try {
                        servers.client(target).sendText(writer.accessToken(), roomId, body, body);
                        long done = System.nanoTime();
                        if (started >= measureFrom && done <= end) {
                            sent.incrementAndGet();
                            synchronized (latency) {
                                latency.add(done - started);
                            }
                        }
                    } catch (RequestFailure e) {
                        failures.incrementAndGet();
                        sleep(100);
                    }
                }
            }));
        }
        while (System.nanoTime() < measureFrom) sleep(50);
        long commits0 = Commits.read(commitsFile);
        long cpuA0 = ProcFs.cpuNanos(aPid);
        long cpuB0 = ProcFs.cpuNanos(bPid);
        LockSampler locks = LockSampler.start(locksCommand);
        while (System.nanoTime() < end) sleep(50);
        long cpuA = ProcFs.cpuNanos(aPid) - cpuA0;
        long cpuB = ProcFs.cpuNanos(bPid) - cpuB0;
        long commits = Commits.read(commitsFile) - commits0;
        ObjectNode out = TwoServers.JSON.createObjectNode();
        if (locks != null) locks.stop(out);
        for (Thread t : threads) t.join(15_000);
        LatencyStats stats = LatencyStats.of(latency);
        long messages = sent.get();
        out.put("rooms", roomCount).put("writers_per_room", writersPerRoom).put("route", byRoom ? "room" : "writer").put("seconds", seconds).put("messages", messages)
                .put("failures", failures.get()).put("messages_per_second", (double) messages / seconds);
        put(out, "send", stats);
        out.put("a_cpu_ms_per_message", messages == 0 ? 0 : cpuA / 1e6 / messages);
        out.put("b_cpu_ms_per_message", messages == 0 || aPid == bPid ? 0 : cpuB / 1e6 / messages);
        out.put("commits_per_message", commits < 0 || messages == 0 ? -1 : (double) commits / messages);
        return out;
    }

    private static void put(ObjectNode out, String prefix, LatencyStats stats) {
        out.put(prefix + "_count", stats.count());
        out.put(prefix + "_p50_ms", stats.percentileNanos(50) / 1e6);
        out.put(prefix + "_p99_ms", stats.percentileNanos(99) / 1e6);
        out.put(prefix + "_max_ms", stats.maxNanos() / 1e6);
    }

    /** A receiver: long-polls its room and records, for every message it gets, the time since its send began. */
    private Thread poller(LoopbackTarget target, MatrixClient.Session session, String roomId, Map<String, Long> sentAt,
                          SampleBuffer samples, AtomicBoolean stop, AtomicLong failures) throws RequestFailure {
        String filter = "{\"room\":{\"rooms\":[\"" + roomId + "\"],\"timeline\":{\"limit\":100}},\"presence\":{\"types\":[]}}";
        String[] since = {json(servers.client(target).sync(session.accessToken(), null, 0, filter)).path("next_batch").asText()};
        return Thread.ofPlatform().name("poller").start(() -> {
            while (!stop.get()) {
                try {
                    JsonNode sync = json(servers.client(target).sync(session.accessToken(), since[0], 10_000, filter));
                    long now = System.nanoTime();
                    for (JsonNode e : sync.path("rooms").path("join").path(roomId).path("timeline").path("events")) {
                        Long at = sentAt.get(e.path("content").path("body").asText());
                        if (at != null) {
                            synchronized (samples) {
                                samples.add(now - at);
                            }
                        }
                    }
                    since[0] = sync.path("next_batch").asText();
                } catch (RequestFailure e) {
                    failures.incrementAndGet();
                    sleep(100);
                }
            }
        });
    }

    // ---- failover of delayed events --------------------------------------------------------------

    private ObjectNode failover(LoopbackTarget a, LoopbackTarget b, int count, int delayMs, int waitSeconds, long aPid) throws Exception {
        // At most PER_OWNER scheduled events per user (the server's per-user limit is 100 by default).
        int ownerCount = (count + PER_OWNER - 1) / PER_OWNER;
        List<MatrixClient.Session> owners = servers.registerMany(a, "fo", ownerCount);
        String roomId = servers.client(a).createRoom(owners.get(0).accessToken(), "public_chat", "failover");
        List<MatrixClient.Session> onB = new ArrayList<>();
        for (MatrixClient.Session owner : owners) {
            if (owner != owners.get(0)) servers.client(a).joinRoom(owner.accessToken(), roomId);
            String user = owner.userId();
            onB.add(servers.client(b).login(user.substring(1, user.indexOf(':')), UserNames.password(servers.runId)));
        }
        List<String> delayIds = new ArrayList<>();
        long scheduledBy = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            delayIds.add(servers.client(a).scheduleDelayedText(owners.get(i / PER_OWNER).accessToken(), roomId, "f" + i, "leave " + i,
                    delayMs));
        }
        long lastScheduled = System.currentTimeMillis();
        if (lastScheduled - scheduledBy + KILL_AFTER_MS >= delayMs) throw new IllegalStateException("scheduling took too long");
        sleep(KILL_AFTER_MS);
        ProcessHandle.of(aPid).ifPresent(ProcessHandle::destroyForcibly);
        long killedAt = System.currentTimeMillis();
        SampleBuffer lateness = new SampleBuffer(count);
        int early = 0;
        int missing = 0;
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        for (int i = 0; i < delayIds.size(); i++) {
            String delayId = delayIds.get(i);
            String token = onB.get(i / PER_OWNER).accessToken();
            JsonNode record;
            while (true) {
                record = servers.client(b).getJson("delayed event", "/_matrix/client/unstable/org.matrix.msc4140/delayed_events/"
                        + MatrixClient.pathSegment(delayId), token);
                if (record.has("event_id") || System.nanoTime() > deadline) break;
                sleep(100);
            }
            if (!record.has("event_id")) {
                missing++;
                continue;
            }
            long due = record.path("running_since").asLong() + record.path("delay").asLong();
            long sent = record.path("finalised_ts").asLong();
            if (sent < due) early++; else lateness.add((sent - due) * 1_000_000L);
        }
        LatencyStats stats = LatencyStats.of(lateness);
        ObjectNode out = TwoServers.JSON.createObjectNode();
        out.put("events", count).put("delay_ms", delayMs).put("killed_ms_before_due", delayMs - (killedAt - lastScheduled))
                .put("sent", stats.count()).put("early", early).put("missing", missing);
        out.put("late_p50_ms", stats.percentileNanos(50) / 1e6).put("late_p99_ms", stats.percentileNanos(99) / 1e6)
                .put("late_max_ms", stats.maxNanos() / 1e6);
        return out;
    }

    private static JsonNode json(HttpResult result) {
        try {
            return TwoServers.JSON.readTree(result.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** PostgreSQL's committed transactions of the benchmark's database, written to a file by the script ({@code pg_stat_database}). */
    static final class Commits {
        private Commits() {}

        /** Runs the script's reader (the file names a command printing one number); -1 when there is none. */
        static long read(String command) {
            if (command == null || command.isBlank()) return -1;
            try {
                Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
                String text = new String(p.getInputStream().readAllBytes()).trim();
                p.waitFor();
                return Long.parseLong(text);
            } catch (Exception e) {
                return -1;
            }
        }
    }
}
