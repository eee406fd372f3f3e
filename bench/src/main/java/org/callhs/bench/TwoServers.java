package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the benchmarks across two servers share: a client per thread and server, parallel set-up
 * (accounts registered, rooms joined), waiting for a room's members to be listed, and the small
 * option parsing of their {@code main}.
 */
final class TwoServers {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int SETUP_THREADS = 8;
    private static final int TIMEOUT_MS = 180_000;
    static final long WAIT_MS = 600_000;

    final String runId = UserNames.newRunId();
    private final Map<LoopbackTarget, ThreadLocal<MatrixClient>> clients = new ConcurrentHashMap<>();

    MatrixClient client(LoopbackTarget target) {
        return clients.computeIfAbsent(target, t -> ThreadLocal.withInitial(() -> new MatrixClient(new HttpConnection(t, TIMEOUT_MS))))
                .get();
    }

    @FunctionalInterface
    interface Step<T> {
        void run(T item) throws Exception;
    }

    /** Runs {@code step} for every item, {@value #SETUP_THREADS} at a time; the first failure is thrown. */
    static <T> void forEach(List<T> items, Step<T> step) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SETUP_THREADS);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (T item : items) futures.add(pool.submit(() -> {
                step.run(item);
                return null;
            }));
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Registers {@code count} accounts named after {@code prefix} on {@code target}. */
    List<MatrixClient.Session> registerMany(LoopbackTarget target, String prefix, int count) throws Exception {
        List<MatrixClient.Session> sessions = new ArrayList<>(Collections.nCopies(count, null));
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < count; i++) indexes.add(i);
        forEach(indexes, i -> sessions.set(i, client(target).register(UserNames.account(runId, prefix + i), UserNames.password(runId))));
        return sessions;
    }

    /** Waits until {@code viewer}'s {@code /joined_members} lists {@code count} members. */
    void awaitMembers(LoopbackTarget target, MatrixClient.Session viewer, String roomId, int count) throws Exception {
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
        int seen = 0;
        while (System.nanoTime() < deadline) {
            try {
                JsonNode joined = client(target).getJson("joined_members",
                        "/_matrix/client/v3/rooms/" + MatrixClient.pathSegment(roomId) + "/joined_members", viewer.accessToken());
                seen = joined.path("joined").size();
                if (seen >= count) return;
            } catch (RequestFailure e) {
                // not joined yet as far as that server knows
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(viewer.userId() + " saw " + seen + " of " + count + " members in " + roomId);
    }

    static String serverOf(MatrixClient.Session session) {
        return session.userId().substring(session.userId().indexOf(':') + 1);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** {@code --name value} pairs; {@code usage} is called with the problem (it should exit). */
    static Map<String, String> options(String[] args, java.util.function.Consumer<String> usage) {
        Map<String, String> options = new java.util.HashMap<>();
        if (args.length % 2 != 0) usage.accept("every option takes a value");
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) usage.accept("unexpected " + args[i]);
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    /** The option's value; {@code usage} is called when it is missing. */
    static String require(Map<String, String> options, String name, java.util.function.Consumer<String> usage) {
        String value = options.get(name);
        if (value == null) usage.accept("--" + name + " is required");
        return value;
    }

    /** The option as a number of at least 1, or {@code fallback} when absent; {@code usage} is called when it is below 1. */
    static int intOption(Map<String, String> options, String name, int fallback, java.util.function.Consumer<String> usage) {
        int value = Integer.parseInt(options.getOrDefault(name, String.valueOf(fallback)));
        if (value < 1) usage.accept("--" + name + " must be >= 1");
        return value;
    }

    /** The last JSON line of every {@code *.json} file in {@code dir} whose name starts with {@code prefix}, by file name. */
    static List<JsonNode> results(java.nio.file.Path dir, String prefix) throws java.io.IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".json") || !name.startsWith(prefix)) continue;
                String text = java.nio.file.Files.readString(file).trim();
                if (text.isEmpty()) continue;
                out.add(JSON.readTree(text.substring(text.lastIndexOf('\n') + 1)));
            }
        }
        return out;
    }
}
