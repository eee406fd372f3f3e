package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code sticky-initial-sync}: a room holding {@code --events} (default {@value #DEFAULT_EVENTS})
 * unexpired sticky events (MSC4354 MatrixRTC memberships, sticky for an hour). Each iteration is
 * what a member's client does when it starts from nothing: an initial {@code GET /sync} (series
 * {@value #INITIAL_SYNC}), then {@code since=next_batch} syncs with {@code timeout=0} until a
 * response brings no sticky event (series {@value #ALL_STICKY}: the whole chain, from the first
 * request; a server sends at most 100 sticky events a response). Every user is a member of the
 * room with its own account; figures: the fewest and most distinct sticky events one chain
 * delivered (timeline and sticky section together; the room holds {@code --events}), and the
 * mean number of responses a chain took.
 *
 * <p>Setup: the users register; user 0 creates the room ({@code public_chat}); the others join;
 * then they send the sticky events between them.
 */
final class StickyInitialSyncScenario implements Scenario {

    static final String NAME = "sticky-initial-sync";
    static final String INITIAL_SYNC = "initialSync";
    static final String ALL_STICKY = "allSticky";
    static final int DEFAULT_EVENTS = 2_000;
    /** A chain that has not ended after this many responses is a failure (a server that never stops sending). */
    private static final int MAX_RESPONSES = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String runId;
    private final int users;
    private final int events;
    private volatile String roomId;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong chains = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong fewestDelivered = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong mostDelivered = new AtomicLong();

    StickyInitialSyncScenario(String runId, int users, ScenarioOptions options) {
        this.runId = runId;
        this.users = users;
        this.events = options.eventsOr(DEFAULT_EVENTS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(ALL_STICKY, INITIAL_SYNC);
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, "si" + user.index());
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> {
                    if (user.index() == 0) {
                        roomId = user.client().createRoomOpenTo(user.session().accessToken(), "public_chat",
                                "bench " + NAME + " " + runId, RoomFanOutScenario.STICKY_TYPE);
                    }
                },
                user -> {
                    if (user.index() != 0) {
                        user.client().joinRoom(user.session().accessToken(), roomId);
                    }
                },
                user -> {
                    for (int k = user.index(); k < events; k += users) {
                        String key = user.session().userId() + "_DEV" + k;
                        ObjectNode content = JSON.createObjectNode().put("slot_id", "m.call#ROOM").put("msc4354_sticky_key", key);
                        user.client().sendSticky(user.session().accessToken(), roomId, RoomFanOutScenario.STICKY_TYPE,
                                "bench." + runId + ".si." + k, content, RoomFanOutScenario.STICKY_DURATION_MS);
                    }
                });
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        String token = user.session().accessToken();
        Set<String> delivered = new HashSet<>();
        // A different timeout on each initial sync: Synapse would otherwise answer a repeat from its response cache.
        long timeoutMs = requests.incrementAndGet();
        HttpResult first = iteration.time(INITIAL_SYNC, () -> user.client().sync(token, null, timeoutMs, null));
        String since = collect(first, delivered);
        int count = 1;
        while (true) {
            if (count >= MAX_RESPONSES) {
                throw RequestFailure.http("sync", 200, "ENDLESS", "sticky events still coming after " + count + " responses");
            }
            HttpResult next = user.client().sync(token, since, 0, null);
            count++;
            int before = delivered.size();
            boolean stickySection = hasStickySection(next);
            since = collect(next, delivered);
            if (!stickySection && delivered.size() == before) {
                break;
            }
        }
        iteration.complete(ALL_STICKY);
        if (iteration.measured()) {
            chains.incrementAndGet();
            responses.addAndGet(count);
            fewestDelivered.accumulateAndGet(delivered.size(), Math::min);
            mostDelivered.accumulateAndGet(delivered.size(), Math::max);
        }
    }

    private static boolean hasStickySection(HttpResult result) throws RequestFailure {
        for (JsonNode room : SyncBatch.root(result.body()).path("rooms").path("join")) {
            if (room.path("msc4354_sticky").path("events").size() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Adds the IDs of the sticky events in the response (timeline or sticky section); returns its next_batch. */
    private String collect(HttpResult result, Set<String> delivered) throws RequestFailure {
        JsonNode root = SyncBatch.root(result.body());
        JsonNode room = root.path("rooms").path("join").path(roomId);
        for (String section : List.of("timeline", "msc4354_sticky")) {
            for (JsonNode event : room.path(section).path("events")) {
                if (RoomFanOutScenario.STICKY_TYPE.equals(event.path("type").asText()) && event.has("msc4354_sticky")) {
                    delivered.add(event.path("event_id").asText());
                }
            }
        }
        return root.path("next_batch").asText();
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        long n = chains.get();
        figures.put("stickyEventsInRoom", events);
        figures.put("chains", n);
        figures.put("responsesPerChainMean", n == 0 ? 0.0 : (double) responses.get() / n);
        figures.put("fewestStickyDelivered", n == 0 ? 0 : fewestDelivered.get());
        figures.put("mostStickyDelivered", mostDelivered.get());
        return figures;
    }
}
