package org.callhs.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The unmeasured setup of {@code bench/run-heartbeat-wrk-bench.sh}: the MatrixRTC shape of
 * heartbeats, for {@code wrk} to replay. {@code --users} accounts (1,000) are registered; the
 * first creates one room in which {@code org.matrix.msc3401.call.member} is open to every member
 * (as MatrixRTC rooms have it), all the others join it; then each account schedules one delayed
 * state event of that type, its own empty membership under the state key
 * {@code _<user ID>_<device ID>}, due in one hour (the call member's delayed leave, so nothing
 * fires during the run). Writes one line per account to {@code --out}: {@code <delay_id> <access
 * token>}, the file {@code bench/wrk/heartbeat.lua} reads.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.WrkHeartbeatSetup --base-url URL --out FILE
 * [--users N] [--concurrency N] [--run-id ID]}.
 */
public final class WrkHeartbeatSetup {
    static final String CALL_MEMBER = "org.matrix.msc3401.call.member";
    static final long LEAVE_DELAY_MS = 3_600_000;

    private WrkHeartbeatSetup() {}

    public static void main(String[] args) throws Exception {
        java.util.function.Consumer<String> usage = WrkHeartbeatSetup::usage;
        Map<String, String> options = TwoServers.options(args, usage);
        LoopbackTarget target = LoopbackTarget.parse(TwoServers.require(options, "base-url", usage));
        Path out = Path.of(TwoServers.require(options, "out", usage));
        int users = TwoServers.intOption(options, "users", 1_000, usage);
        int concurrency = TwoServers.intOption(options, "concurrency", 16, usage);
        String runId = options.getOrDefault("run-id", UserNames.newRunId());
        long started = System.nanoTime();
        List<String> lines = setUp(target, users, concurrency, runId);
        write(out, lines);
        System.err.printf("[wrk-setup] %d accounts in one room, one delayed leave each, in %.1f s: %s%n",
                users, (System.nanoTime() - started) / 1e9, out);
        System.exit(0);
    }

    private static List<String> setUp(LoopbackTarget target, int users, int concurrency, String runId) throws Exception {
        MatrixClient.Session[] sessions = new MatrixClient.Session[users];
        String[] delayIds = new String[users];
        String password = UserNames.password(runId);
        inParallel(target, users, concurrency, (client, i) ->
                sessions[i] = client.register(UserNames.account(runId, "w" + i), password));
        String roomId;
        try (HttpConnection http = new HttpConnection(target, 60_000)) {
            roomId = new MatrixClient(http).createRoomOpenTo(sessions[0].accessToken(), "public_chat", "wrk heartbeats " + runId, CALL_MEMBER);
        }
        inParallel(target, users, concurrency, (client, i) -> {
            if (i > 0) client.joinRoom(sessions[i].accessToken(), roomId);
        });
        inParallel(target, users, concurrency, (client, i) -> {
            MatrixClient.Session s = sessions[i];
            delayIds[i] = client.scheduleDelayedEmptyState(s.accessToken(), roomId, CALL_MEMBER,
                    "_" + s.userId() + "_" + s.deviceId(), LEAVE_DELAY_MS);
        });
        List<String> lines = new ArrayList<>(users);
        for (int i = 0; i < users; i++) lines.add(delayIds[i] + " " + sessions[i].accessToken());
        return lines;
    }

    @FunctionalInterface
    private interface Step {
        void run(MatrixClient client, int index) throws RequestFailure;
    }

    /** Runs {@code step} for every index on {@code concurrency} connections, each taking every {@code concurrency}-th index. */
    private static void inParallel(LoopbackTarget target, int count, int concurrency, Step step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                int first = c;
                done.add(pool.submit(() -> {
                    try (HttpConnection http = new HttpConnection(target, 60_000)) {
                        MatrixClient client = new MatrixClient(http);
                        for (int i = first; i < count; i += concurrency) step.run(client, i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void write(Path out, List<String> lines) throws IOException {
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
            for (String line : lines) w.print(line + "\n");
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void usage(String problem) {
        System.err.println("WrkHeartbeatSetup: " + problem
                + "\nusage: --base-url URL --out FILE [--users N (1000)] [--concurrency N (16)] [--run-id ID]");
        System.exit(2);
    }
}
