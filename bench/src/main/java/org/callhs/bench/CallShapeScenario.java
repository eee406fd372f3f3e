package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code call-shape}: one call as MatrixRTC's sticky mode (matrix-js-sdk 43 with
 * {@code unstableSendStickyEvents}) runs it, all on one server: {@code --participants}
 * (default {@value #DEFAULT_PARTICIPANTS}) in one room, each with
 * <ul>
 *   <li>a join, its first beat (series {@value #JOIN}, every one recorded although they fall in
 *       the warm-up: the join storm of a call starting): a sticky membership
 *       ({@value RoomFanOutScenario#STICKY_TYPE}, sticky for an hour) and a delayed sticky leave
 *       (delay {@code --delay}, default {@value #DEFAULT_DELAY_MS} ms) scheduled on the same
 *       send endpoint, as the SDK does;</li>
 *   <li>a restart of that delayed leave every {@value #HEARTBEAT_INTERVAL_MS} ms (series
 *       {@value #RESTART}), open loop from a random phase; latency counts from the beat's
 *       scheduled instant;</li>
 *   <li>a {@code /sync} long-poll loop, on a connection of its own, from before the run (series
 *       {@value LongPoller#POLL}: the time each poll was held; every participant receives every
 *       membership, timeline or sticky section).</li>
 * </ul>
 * Users {@code 2p} and {@code 2p + 1} are participant {@code p}'s heartbeat and sync connections
 * (one account, one access token), so {@code --users} is twice the participants. Setup: each
 * heartbeat user registers; user 0 creates the room ({@code public_chat}, members may send call
 * membership state); the others join; the sync users take an initial sync. At the end the
 * heartbeat users cancel their leaves (unmeasured) and the sync users are stopped. Figures:
 * memberships received by the sync users (each participant should get all of them), and
 * participants whose restart was refused (lost their leave: a correctness failure here).
 */
final class CallShapeScenario implements Scenario {

    static final String NAME = "call-shape";
    static final String JOIN = "join";
    static final String RESTART = "restart";
    static final int DEFAULT_PARTICIPANTS = 500;
    static final long DEFAULT_DELAY_MS = 8_000;
    static final long HEARTBEAT_INTERVAL_MS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String runId;
    private final int participants;
    private final long delayMillis;
    private final MatrixClient.Session[] sessions;
    private final String[] since;
    private final String[] delayIds;
    private final long[] phaseNanos;
    private volatile String roomId;
    private volatile boolean stopped;
    private final VirtualUser[] pollers;
    private final AtomicInteger beatersRunning;
    /** Per participant, the memberships its sync connection received (a sticky event can come twice: timeline, then sticky section). */
    private final java.util.Set<String>[] received;
    private final AtomicLong lostLeaves = new AtomicLong();

    CallShapeScenario(String runId, int users, ScenarioOptions options) {
        this.participants = options.participantsOr(DEFAULT_PARTICIPANTS);
        if (users != 2 * participants) {
            throw new IllegalArgumentException(NAME + " needs --users = 2 x participants (" + 2 * participants + "): "
                    + "a heartbeat and a sync connection each");
        }
        this.runId = runId;
        this.delayMillis = options.delayMillisOr(DEFAULT_DELAY_MS);
        if (delayMillis <= HEARTBEAT_INTERVAL_MS) {
            throw new IllegalArgumentException("--delay must be longer than the " + HEARTBEAT_INTERVAL_MS + " ms between heartbeats");
        }
        this.sessions = new MatrixClient.Session[participants];
        this.since = new String[participants];
        this.delayIds = new String[participants];
        this.phaseNanos = new long[participants];
        this.pollers = new VirtualUser[participants];
        @SuppressWarnings("unchecked")
        java.util.Set<String>[] sets = new java.util.Set[participants];
        this.received = sets;
        this.beatersRunning = new AtomicInteger(participants);
        SplittableRandom random = new SplittableRandom(runId.hashCode());
        for (int p = 0; p < participants; p++) {
            phaseNanos[p] = random.nextLong(TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS));
        }
    }

    private static boolean isBeater(VirtualUser user) {
        return user.index() % 2 == 0;
    }

    private static int participantOf(VirtualUser user) {
        return user.index() / 2;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(RESTART, JOIN, LongPoller.POLL);
    }

    @Override
    public Duration longestRequest() {
        return Duration.ofMillis(LongPoller.TIMEOUT_MS);
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        if (isBeater(user)) {
            user.register(runId, "cs" + participantOf(user));
            sessions[participantOf(user)] = user.session();
        } else {
            pollers[participantOf(user)] = user;
        }
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> {
                    if (user.index() == 0) {
                        roomId = user.client().createRoomOpenTo(user.session().accessToken(), "public_chat",
                                "bench " + NAME + " " + runId, MatrixRtcScenario.CALL_MEMBER);
                    }
                },
                user -> {
                    if (isBeater(user) && user.index() != 0) {
                        user.client().joinRoom(user.session().accessToken(), roomId);
                    }
                },
                user -> {
                    if (!isBeater(user)) {
                        user.session(sessions[participantOf(user)]);
                        since[participantOf(user)] = LongPoller.initialToken(user);
                    }
                });
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) {
        throw new UnsupportedOperationException(NAME + " is run by its participants' timetables");
    }

    @Override
    public LoadDriver driver(double rate, int users) {
        return new LoadDriver() {
            @Override
            protected void runUser(VirtualUser user, Scenario scenario, RunWindow window) {
                if (isBeater(user)) {
                    try {
                        beat(user, window);
                    } finally {
                        if (beatersRunning.decrementAndGet() == 0) {
                            stopPollers();
                        }
                    }
                } else {
                    poll(user, window);
                }
            }
        };
    }

    /** One participant's heartbeat timetable: join at its phase, then a restart every interval, until the window ends. */
    private void beat(VirtualUser user, RunWindow window) {
        int p = participantOf(user);
        String token = user.session().accessToken();
        long period = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS);
        for (long cycle = 0; ; cycle++) {
            long scheduled = window.startNanos() + phaseNanos[p] + cycle * period;
            if (scheduled >= window.endNanos() || System.nanoTime() >= window.endNanos()) {
                break;
            }
            LoadDriver.parkUntil(scheduled);
            try {
                if (delayIds[p] == null) {
                    // Every join is recorded: they all fall in the first beat period, which the warm-up covers.
                    join(user, p, new Iteration(user.recorder(), scheduled));
                } else {
                    Iteration iteration = new Iteration(window.isMeasured(scheduled) ? user.recorder() : null, scheduled);
                    iteration.time(RESTART, () -> {
                        user.client().delayedEventAction(token, delayIds[p], "restart");
                        return null;
                    });
                }
            } catch (RequestFailure failure) {
                if (delayIds[p] != null && failure.errorKey().startsWith("404")) {
                    lostLeaves.incrementAndGet();
                    delayIds[p] = null; // as the SDK does: schedule a new leave at the next beat
                } else if (failure.isTransport()) {
                    LoadDriver.parkUntil(System.nanoTime() + LoadDriver.TRANSPORT_ERROR_BACKOFF_NANOS);
                }
            }
        }
        if (delayIds[p] != null) {
            try {
                user.client().delayedEventAction(token, delayIds[p], "cancel");
            } catch (RequestFailure ignored) {
                // unmeasured clean-up: a leave that fires after the run changes nothing
            }
        }
    }

    private void join(VirtualUser user, int p, Iteration iteration) throws RequestFailure {
        String token = user.session().accessToken();
        String memberId = user.session().userId() + ":BENCH";
        ObjectNode leave = JSON.createObjectNode().put("slot_id", "m.call#ROOM").put("msc4354_sticky_key", memberId);
        delayIds[p] = iteration.time(JOIN, () -> {
            String delayId = user.client().scheduleDelayedSticky(token, roomId, RoomFanOutScenario.STICKY_TYPE,
                    "bench." + runId + ".leave." + p + "." + System.nanoTime(), leave, delayMillis, RoomFanOutScenario.STICKY_DURATION_MS);
            ObjectNode membership = leave.deepCopy();
            membership.putObject("application").put("type", "m.call");
            membership.putObject("member").put("user_id", user.session().userId()).put("device_id", "BENCH").put("id", memberId);
            user.client().sendSticky(token, roomId, RoomFanOutScenario.STICKY_TYPE, "bench." + runId + ".join." + p + "." + System.nanoTime(),
                    membership, RoomFanOutScenario.STICKY_DURATION_MS);
            return delayId;
        });
    }

    /** One participant's /sync loop: counts the call memberships it receives. */
    private void poll(VirtualUser user, RunWindow window) {
        int p = participantOf(user);
        String token = user.session().accessToken();
        String position = since[p];
        java.util.Set<String> mine = new java.util.HashSet<>();
        received[p] = mine;
        while (!stopped) {
            long start = System.nanoTime();
            try {
                HttpResult result = user.client().sync(token, position, LongPoller.TIMEOUT_MS, LongPoller.FILTER);
                long arrived = System.nanoTime();
                JsonNode root = SyncBatch.root(result.body());
                position = root.path("next_batch").asText();
                if (window.isMeasured(arrived)) {
                    user.recorder().recordLatency(LongPoller.POLL, arrived - start);
                }
                for (JsonNode room : root.path("rooms").path("join")) {
                    for (String section : List.of("timeline", "msc4354_sticky")) {
                        for (JsonNode event : room.path(section).path("events")) {
                            if (RoomFanOutScenario.STICKY_TYPE.equals(event.path("type").asText()) && event.path("content").has("member")) {
                                mine.add(event.path("event_id").asText());
                            }
                        }
                    }
                }
            } catch (RequestFailure failure) {
                if (stopped) {
                    return;
                }
                if (window.isMeasured(System.nanoTime())) {
                    user.recorder().recordError(LongPoller.POLL, failure.errorKey());
                }
                LoadDriver.parkUntil(System.nanoTime() + LoadDriver.TRANSPORT_ERROR_BACKOFF_NANOS);
            }
        }
    }

    private void stopPollers() {
        stopped = true;
        for (VirtualUser poller : pollers) {
            if (poller != null) {
                poller.connection().abort();
            }
        }
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("participants", participants);
        figures.put("leaveDelayMs", delayMillis);
        figures.put("heartbeatIntervalMs", HEARTBEAT_INTERVAL_MS);
        figures.put("targetRestartsPerSecond", participants * 1000.0 / HEARTBEAT_INTERVAL_MS);
        long total = 0;
        for (java.util.Set<String> set : received) {
            total += set == null ? 0 : set.size();
        }
        figures.put("membershipsReceived", total);
        figures.put("membershipsExpected", (long) participants * participants);
        figures.put("lostLeaves", lostLeaves.get());
        return figures;
    }
}
