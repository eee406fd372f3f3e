package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * The unmeasured setup of {@code bench/run-livekit-token-bench.sh}: {@code --users} accounts
 * (1,000) are registered and each asks for an OpenID token; each account is a member of one of
 * {@code --calls} calls (100): user {@code i} is in call {@code i % calls}. Writes one line per
 * account to {@code --out}: the body of its {@code POST /livekit/jwt/get_token}
 * ({@code room_id}, {@code slot_id}, {@code openid_token}, {@code member}), the file
 * {@code bench/wrk/get-token.lua} replays. The token service checks no room membership (as
 * lk-jwt-service), so the calls' room IDs need no rooms.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.WrkTokenSetup --base-url URL --out FILE
 * [--users N] [--calls N] [--concurrency N] [--run-id ID]}.
 */
public final class WrkTokenSetup {
    private static final ObjectMapper JSON = new ObjectMapper();

    private WrkTokenSetup() {}

    public static void main(String[] args) throws Exception {
        java.util.function.Consumer<String> usage = WrkTokenSetup::usage;
        Map<String, String> options = TwoServers.options(args, usage);
        LoopbackTarget target = LoopbackTarget.parse(TwoServers.require(options, "base-url", usage));
        Path out = Path.of(TwoServers.require(options, "out", usage));
        int users = TwoServers.intOption(options, "users", 1_000, usage);
        int calls = TwoServers.intOption(options, "calls", 100, usage);
        int concurrency = TwoServers.intOption(options, "concurrency", 16, usage);
        String runId = options.getOrDefault("run-id", UserNames.newRunId());
        long started = System.nanoTime();
        String[] lines = new String[users];
        String password = UserNames.password(runId);
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                int first = c;
                done.add(pool.submit(() -> {
                    try (HttpConnection http = new HttpConnection(target, 60_000)) {
                        MatrixClient client = new MatrixClient(http);
                        for (int i = first; i < users; i += concurrency) {
                            MatrixClient.Session s = client.register(UserNames.account(runId, "t" + i), password);
                            JsonNode openId = client.requestOpenIdToken(s.accessToken(), s.userId());
                            String server = s.userId().substring(s.userId().indexOf(':') + 1);
                            ObjectNode body = JSON.createObjectNode().put("room_id", "!call" + (i % calls) + "-" + runId + ":" + server)
                                    .put("slot_id", "m.call#ROOM");
                            body.set("openid_token", openId);
                            body.putObject("member").put("id", "member-" + i).put("claimed_user_id", s.userId())
                                    .put("claimed_device_id", s.deviceId());
                            lines[i] = JSON.writeValueAsString(body);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
            for (String line : lines) w.print(line + "\n");
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.err.printf("[token-setup] %d accounts with an OpenID token each, in %d calls, in %.1f s: %s%n",
                users, calls, (System.nanoTime() - started) / 1e9, out);
        System.exit(0);
    }

    private static void usage(String problem) {
        System.err.println("WrkTokenSetup: " + problem
                + "\nusage: --base-url URL --out FILE [--users N (1000)] [--calls N (100)] [--concurrency N (16)] [--run-id ID]");
        System.exit(2);
    }
}
