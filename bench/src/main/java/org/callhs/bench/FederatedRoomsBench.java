package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two one-shot measurements of rooms shared across two servers (issue 14), run by
 * {@code bench/run-federated-rooms-bench.sh}; each prints one JSON line on stdout.
 * <ul>
 *   <li>{@code inbound}: a room of {@code --members} members, half on the receiving server
 *       ({@code --a}, which creates the room) and half on the origin ({@code --b}, joining over
 *       federation). The origin's members then send {@code --messages} messages as fast as
 *       their server takes them ({@code --senders} at once), so its outbound queue fills and the
 *       receiver takes PDUs as fast as it can accept them; a last message follows them. A member on
 *       the receiver long-polls {@code /sync} until that last message arrives. Figure: PDUs per
 *       second accepted, from the first send to the last message's arrival; then the room's
 *       history is read back to count the messages that never arrived.</li>
 *   <li>{@code join}: {@code --rooms} rooms of {@code --members} members on the resident server
 *       ({@code --a}); a fresh user of the joining server ({@code --b}) joins each through the
 *       resident. Figures: the time until {@code POST /join} answers, and until the joiner's
 *       {@code /joined_members} lists every member.</li>
 * </ul>
 */
public final class FederatedRoomsBench {

    private static final ObjectMapper JSON = TwoServers.JSON;
    private static final long WAIT_MS = TwoServers.WAIT_MS;

    private final TwoServers servers = new TwoServers();
    private final String runId = servers.runId;

    private FederatedRoomsBench() {}

    public static void main(String[] args) throws Exception {
        java.util.function.Consumer<String> usage = FederatedRoomsBench::usage;
        Map<String, String> options = TwoServers.options(args, usage);
        String mode = options.getOrDefault("mode", "");
        if (mode.equals("report")) {
            report(java.nio.file.Path.of(TwoServers.require(options, "dir", usage)));
            return;
        }
        LoopbackTarget a = LoopbackTarget.parse(TwoServers.require(options, "a", usage));
        LoopbackTarget b = LoopbackTarget.parse(TwoServers.require(options, "b", usage));
        String label = options.getOrDefault("label", "run");
        FederatedRoomsBench bench = new FederatedRoomsBench();
        ObjectNode result = switch (mode) {
            case "inbound" -> bench.inbound(a, b, TwoServers.intOption(options, "members", 100, usage),
                    TwoServers.intOption(options, "messages", 3000, usage), TwoServers.intOption(options, "senders", 8, usage));
            case "join" -> bench.join(a, b, TwoServers.intOption(options, "members", 1000, usage),
                    TwoServers.intOption(options, "rooms", 3, usage));
            default -> {
                usage("--mode must be inbound or join");
                yield null;
            }
        };
        result.put("label", label);
        result.put("mode", mode);
        System.out.println(JSON.writeValueAsString(result));
        System.exit(0);
    }

    /**
     * Prints the markdown tables of a run from the JSON lines in {@code dir}: {@code inbound-*.json}
     * and {@code join-*.json}, one file per pairing (its label names the pairing).
     */
    private static void report(java.nio.file.Path dir) throws java.io.IOException {
        List<JsonNode> inbound = TwoServers.results(dir, "inbound-");
        List<JsonNode> joins = TwoServers.results(dir, "join-");
        StringBuilder out = new StringBuilder();
        if (!inbound.isEmpty()) {
            out.append("| origin -> receiver | members | messages | PDUs/s accepted | drain (s) | origin took (s) | missing |\n");
            out.append("|---|---|---|---|---|---|---|\n");
            for (JsonNode r : inbound) {
                out.append(String.format(Locale.ROOT, "| %s | %d | %d | **%.0f** | %.1f | %.1f | %d |%n", r.path("label").asText(),
                        r.path("members").asInt(), r.path("messages").asInt(), r.path("pdus_per_second").asDouble(),
                        r.path("drain_seconds").asDouble(), r.path("origin_send_seconds").asDouble(), r.path("missing").asInt()));
            }
            out.append('\n');
        }
        if (!joins.isEmpty()) {
            out.append("| resident -> joiner | members | joins | time to joined, median (s) | all members listed, median (s) | each join (s) |\n");
            out.append("|---|---|---|---|---|---|\n");
            for (JsonNode r : joins) {
                List<String> each = new ArrayList<>();
                r.path("join_seconds").forEach(v -> each.add(String.format(Locale.ROOT, "%.2f", v.asDouble())));
                out.append(String.format(Locale.ROOT, "| %s | %d | %d | **%.2f** | %.2f | %s |%n", r.path("label").asText(),
                        r.path("members").asInt(), r.path("rooms").asInt(), r.path("join_seconds_median").asDouble(),
                        r.path("members_listed_seconds_median").asDouble(), String.join(", ", each)));
            }
        }
        System.out.print(out);
    }

    private static void usage(String problem) {
        System.err.println("FederatedRoomsBench: " + problem + "\nusage: --mode inbound|join --a URL --b URL [--label L] "
                + "[--members N] [--messages N] [--senders N] [--rooms N]");
        System.exit(2);
    }

    // ---- inbound PDUs from one origin --------------------------------------------------------

    private ObjectNode inbound(LoopbackTarget receiver, LoopbackTarget origin, int members, int messages, int senders)
            throws Exception {
        int local = members / 2;
        List<MatrixClient.Session> here = registerMany(receiver, "ri", local);
        List<MatrixClient.Session> there = registerMany(origin, "ro", members - local);
        MatrixClient.Session watcher = here.get(0);
        String roomId = client(receiver).createRoom(watcher.accessToken(), "public_chat", "bench inbound " + runId);
        String receiverServer = serverOf(watcher);
        forEach(there, s -> client(origin).joinRoomVia(s.accessToken(), roomId, receiverServer));
        forEach(here.subList(1, here.size()), s -> client(receiver).joinRoom(s.accessToken(), roomId));
        awaitMembers(receiver, watcher, roomId, members);
        log("room %s holds %d members (%d here, %d on the origin)", roomId, members, local, members - local);

        String marker = "inbound " + runId + " #";
        String last = "inbound " + runId + " end";
        String since = syncToken(receiver, watcher);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long[] arrived = new long[1];
        Thread watching = Thread.ofPlatform().name("watcher").start(() -> arrived[0] = awaitBody(receiver, watcher, roomId, since, last));
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        List<Future<?>> sending = new ArrayList<>();
        for (int t = 0; t < senders; t++) {
            sending.add(pool.submit(() -> {
                for (int n = next.incrementAndGet(); n <= messages; n = next.incrementAndGet()) {
                    MatrixClient.Session sender = there.get(n % there.size());
                    client(origin).sendText(sender.accessToken(), roomId, "in" + n, marker + n);
                }
                return null;
            }));
        }
        for (Future<?> f : sending) f.get();
        pool.shutdown();
        // The origin sends a destination's PDUs in order, one transaction at a time, and the
        // receiver accepts a transaction's PDUs before it answers: when this last message has
        // arrived, every message before it was accepted (or refused; the count below says).
        client(origin).sendText(there.get(0).accessToken(), roomId, "in-end", last);
        long sent = System.nanoTime();
        watching.join(WAIT_MS);
        if (arrived[0] == 0) throw new IllegalStateException("the last message did not reach the receiver within " + WAIT_MS + " ms");
        int received = countMessages(receiver, watcher, roomId, marker);
        double drain = (arrived[0] - start) / 1e9;
        ObjectNode out = JSON.createObjectNode();
        out.put("members", members).put("messages", messages).put("received", received)
                .put("missing", messages - received)
                .put("origin_send_seconds", (sent - start) / 1e9)
                .put("drain_seconds", drain)
                .put("pdus_per_second", (received + 1) / drain);
        log("%d of %d messages arrived; %.1f PDUs/s accepted", received, messages, out.get("pdus_per_second").asDouble());
        return out;
    }

    /** Long-polls {@code watcher}'s /sync until a message with {@code body} shows up; returns when (nanoTime). */
    private long awaitBody(LoopbackTarget target, MatrixClient.Session watcher, String roomId, String since, String body) {
        String filter = "{\"room\":{\"rooms\":[" + JSON.valueToTree(roomId) + "],\"timeline\":{\"limit\":50}},"
                + "\"presence\":{\"not_types\":[\"*\"]},\"account_data\":{\"not_types\":[\"*\"]}}";
        long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
        String token = since;
        try {
            while (System.nanoTime() < deadline) {
                JsonNode sync = JSON.readTree(client(target).sync(watcher.accessToken(), token, 10_000, filter).body());
                long now = System.nanoTime();
                token = sync.path("next_batch").asText();
                for (JsonNode event : sync.path("rooms").path("join").path(roomId).path("timeline").path("events")) {
                    if (body.equals(event.path("content").path("body").asText())) return now;
                }
            }
        } catch (Exception e) {
            log("watcher stopped: %s", e);
        }
        return 0;
    }

    /** How many distinct messages starting with {@code marker} the room's history holds, paging back from its end. */
    private int countMessages(LoopbackTarget target, MatrixClient.Session viewer, String roomId, String marker) throws Exception {
        java.util.Set<String> bodies = new java.util.HashSet<>();
        String path = "/_matrix/client/v3/rooms/" + MatrixClient.pathSegment(roomId) + "/messages?dir=b&limit=500";
        String from = null;
        for (int page = 0; page < 1_000; page++) {
            JsonNode answer = client(target).getJson("messages", from == null ? path : path + "&from=" + MatrixClient.pathSegment(from),
                    viewer.accessToken());
            for (JsonNode event : answer.path("chunk")) {
                String body = event.path("content").path("body").asText("");
                if (body.startsWith(marker)) bodies.add(body);
            }
            from = answer.path("end").asText(null);
            if (answer.path("chunk").isEmpty() || from == null) break;
        }
        return bodies.size();
    }

    // ---- joining a big remote room ------------------------------------------------------------

    private ObjectNode join(LoopbackTarget resident, LoopbackTarget joiner, int members, int rooms) throws Exception {
        List<MatrixClient.Session> users = registerMany(resident, "jm", members);
        MatrixClient.Session creator = users.get(0);
        String residentServer = serverOf(creator);
        List<String> roomIds = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            String roomId = client(resident).createRoom(creator.accessToken(), "public_chat", "bench join " + runId + " " + r);
            forEach(users.subList(1, users.size()), s -> client(resident).joinRoom(s.accessToken(), roomId));
            awaitMembers(resident, creator, roomId, members);
            roomIds.add(roomId);
            log("room %d of %d: %s holds %d members", r + 1, rooms, roomId, members);
        }
        double[] joined = new double[rooms];
        double[] complete = new double[rooms];
        for (int r = 0; r < rooms; r++) {
            MatrixClient.Session user = client(joiner).register(UserNames.account(runId, "jj" + r), UserNames.password(runId));
            long t0 = System.nanoTime();
            client(joiner).joinRoomVia(user.accessToken(), roomIds.get(r), residentServer);
            joined[r] = (System.nanoTime() - t0) / 1e9;
            awaitMembers(joiner, user, roomIds.get(r), members + 1);
            complete[r] = (System.nanoTime() - t0) / 1e9;
            log("join %d of %d: answered after %.2f s, every member listed after %.2f s", r + 1, rooms, joined[r], complete[r]);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("members", members).put("rooms", rooms);
        out.put("join_seconds_median", median(joined)).put("members_listed_seconds_median", median(complete));
        Arrays.stream(joined).forEach(out.putArray("join_seconds")::add);
        Arrays.stream(complete).forEach(out.putArray("members_listed_seconds")::add);
        return out;
    }

    private static double median(double[] values) { return TwoServers.median(values); }

    // ---- helpers ------------------------------------------------------------------------------

    private MatrixClient client(LoopbackTarget target) { return servers.client(target); }

    private static <T> void forEach(List<T> items, TwoServers.Step<T> step) throws Exception { TwoServers.forEach(items, step); }

    private List<MatrixClient.Session> registerMany(LoopbackTarget target, String prefix, int count) throws Exception {
        return servers.registerMany(target, prefix, count);
    }

    private void awaitMembers(LoopbackTarget target, MatrixClient.Session viewer, String roomId, int count) throws Exception {
        servers.awaitMembers(target, viewer, roomId, count);
    }

    private String syncToken(LoopbackTarget target, MatrixClient.Session user) throws Exception {
        String filter = "{\"room\":{\"timeline\":{\"limit\":1}}}";
        return JSON.readTree(client(target).sync(user.accessToken(), null, 0, filter).body()).path("next_batch").asText();
    }

    private static String serverOf(MatrixClient.Session session) { return TwoServers.serverOf(session); }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[federated-rooms] " + format + "%n", args);
    }
}
