package org.callhs.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * {@code matrixrtc}: MatrixRTC calls kept alive by delayed leaves. Each of {@code --participants}
 * participants (default {@value #DEFAULT_PARTICIPANTS}) schedules, as its first beat, a delayed
 * leave: an empty {@value #CALL_MEMBER} state event with state key {@code _<userId>_<device>} and
 * a delay of {@code --delay} (default {@value #DEFAULT_DELAY_MS} ms) (series {@value #JOIN}); then
 * restarts it every {@value #HEARTBEAT_INTERVAL_MS} ms (series {@value #RESTART}), open loop: each
 * participant has a random phase in the period, and latency counts from the beat's scheduled
 * instant. From the start of the measured window, {@value #KILLED_PERCENT_PER_MINUTE} % of the
 * participants a minute are killed, in a random order: they stop heartbeating without cancelling,
 * so their leave must fire {@code delay} after their last restart.
 *
 * <p>Participants are devices, {@value #DEVICES_PER_ACCOUNT} to an account (device names are
 * made up: one access token per account is enough to send), and calls are rooms of
 * {@value #ACCOUNTS_PER_ROOM} accounts (100 participants). User 0 watches every room through
 * {@code /sync}; users 1..N are the workers that drive the participants, participant {@code p} by
 * worker {@code 1 + p mod N}, one connection each. Setup: the watcher registers and creates the
 * rooms ({@code public_chat}, power levels letting every member send {@value #CALL_MEMBER}); the
 * workers register the accounts ({@code a} by worker {@code 1 + a mod N}) and have them join.
 *
 * <p>Per killed participant, series {@value #LEAVE_LATENESS}: the watcher's sighting of its leave
 * minus (the answer to its last restart + delay), the latest instant the leave was due; errors
 * {@code missing} (never seen) and {@code early}. A leave seen before (its last successful restart
 * was <em>sent</em> + delay) is early, for any participant: the server fired before the delay
 * could have run out, a correctness failure. A leave of a participant that was still
 * heartbeating when the run ended, seen before that end, counts in {@code liveLeaves} (a restart
 * came too late; its restarts then answer 404 and it stops, {@code lostParticipants}). At the end
 * the workers cancel the leaves of the participants still alive, unmeasured.
 *
 * <p>The run stops on time even when the server falls behind: a worker issues no beat once the
 * window has ended, however far behind its timetable it is, and gives up cancelling
 * {@link #CANCEL_GRACE} after the window ({@code cancelsSkipped}); so the run ends at most one
 * request timeout after that.
 */
final class MatrixRtcScenario implements WatchedScenario {

    static final String NAME = "matrixrtc";
    static final String CALL_MEMBER = "org.matrix.msc3401.call.member";
    static final String RESTART = "restart";
    static final String JOIN = "join";
    static final String LEAVE_LATENESS = "leave-lateness";
    static final int DEFAULT_PARTICIPANTS = 2000;
    static final int DEVICES_PER_ACCOUNT = 10;
    static final int ACCOUNTS_PER_ROOM = 10;
    static final long DEFAULT_DELAY_MS = 8_000;
    static final long HEARTBEAT_INTERVAL_MS = 5_000;
    static final int KILLED_PERCENT_PER_MINUTE = 5;
    private static final long SETTLE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long after the window the workers may spend cancelling the leaves of live participants. */
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(20);

    private final String runId;
    private final int workers;
    private final long delayMillis;
    private final MatrixClient.Session[] accounts;
    private final String[] roomIds;
    private final RtcParticipant[] participants;
    private final Map<String, RtcParticipant> byStateKey = new ConcurrentHashMap<>();
    private final AtomicLong limitedTimelines = new AtomicLong();
    private final AtomicLong cancelFailures = new AtomicLong();
    private final AtomicLong cancelsSkipped = new AtomicLong();
    private volatile String since;
    private volatile Map<String, Number> outcome = Map.of();

    MatrixRtcScenario(String runId, int users, ScenarioOptions options) {
        if (users < 2) {
            throw new IllegalArgumentException("needs --users >= 2: user 0 watches, the others drive the participants");
        }
        this.runId = runId;
        this.workers = users - 1;
        this.delayMillis = options.delayMillisOr(DEFAULT_DELAY_MS);
        if (delayMillis <= HEARTBEAT_INTERVAL_MS) {
            throw new IllegalArgumentException("--delay must be longer than the " + HEARTBEAT_INTERVAL_MS
                    + " ms between heartbeats, or live participants leave");
        }
        int count = options.participantsOr(DEFAULT_PARTICIPANTS);
        this.accounts = new MatrixClient.Session[(count + DEVICES_PER_ACCOUNT - 1) / DEVICES_PER_ACCOUNT];
        this.roomIds = new String[(accounts.length + ACCOUNTS_PER_ROOM - 1) / ACCOUNTS_PER_ROOM];
        this.participants = new RtcParticipant[count];
        SplittableRandom random = new SplittableRandom(runId.hashCode());
        int[] killOrder = shuffledIndexes(count, random);
        long period = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS);
        for (int p = 0; p < count; p++) {
            participants[p] = new RtcParticipant(p, p / DEVICES_PER_ACCOUNT, random.nextLong(period), killOrder[p]);
        }
    }

    /** {@code rank[p]}: a random permutation of {@code 0..count-1}. */
    private static int[] shuffledIndexes(int count, SplittableRandom random) {
        int[] rank = new int[count];
        for (int i = 0; i < count; i++) {
            rank[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = rank[i];
            rank[i] = rank[j];
            rank[j] = swap;
        }
        return rank;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(RESTART, LEAVE_LATENESS, JOIN, LongPoller.POLL);
    }

    int rooms() {
        return roomIds.length;
    }

    /** The interval between two kills: 60 s shared among {@value #KILLED_PERCENT_PER_MINUTE} % of the participants. */
    long killIntervalNanos() {
        return Math.round(60e9 / (participants.length * KILLED_PERCENT_PER_MINUTE / 100.0));
    }

    /** When participant {@code p} is to be killed: its rank's turn, counted from the start of the measured window. */
    long killAtNanos(RtcParticipant p, RunWindow window) {
        return window.measureStartNanos() + (p.killRank + 1) * killIntervalNanos();
    }

    /** The worker (user index) that drives participant {@code p}. */
    int workerOf(int participant) {
        return 1 + participant % workers;
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        if (user.index() == WATCHER) {
            user.register(runId, "rw");
            return;
        }
        for (int a = user.index() - 1; a < accounts.length; a += workers) {
            accounts[a] = user.client().register(UserNames.account(runId, "r" + a), UserNames.password(runId));
        }
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> {
                    if (user.index() == WATCHER) {
                        for (int room = 0; room < roomIds.length; room++) {
                            roomIds[room] = user.client().createRoomOpenTo(user.session().accessToken(), "public_chat",
                                    "bench " + NAME + " " + runId + " " + room, CALL_MEMBER);
                        }
                    }
                },
                user -> {
                    for (int a = user.index() - 1; user.index() != WATCHER && a < accounts.length; a += workers) {
                        user.client().joinRoom(accounts[a].accessToken(), roomIds[a / ACCOUNTS_PER_ROOM]);
                        for (int p = a * DEVICES_PER_ACCOUNT; p < Math.min(participants.length, (a + 1) * DEVICES_PER_ACCOUNT); p++) {
                            String stateKey = "_" + accounts[a].userId() + "_RTC" + (p % DEVICES_PER_ACCOUNT);
                            participants[p].stateKey(stateKey);
                            byStateKey.put(stateKey, participants[p]);
                        }
                    }
                },
                user -> {
                    if (user.index() == WATCHER) {
                        since = LongPoller.initialToken(user);
                    }
                });
    }

    /** A worker: beats of its participants in timetable order until the window ends, then cancels the leaves of the live ones. */
    @Override
    public void act(VirtualUser worker, RunWindow window) {
        List<RtcParticipant> mine = new ArrayList<>();
        for (RtcParticipant p : participants) {
            if (workerOf(p.index) == worker.index()) {
                mine.add(p);
            }
        }
        mine.sort(Comparator.comparingLong(p -> p.phaseNanos));
        long period = TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_INTERVAL_MS);
        timetable:
        for (long cycle = 0; window.startNanos() + cycle * period < window.endNanos(); cycle++) {
            for (RtcParticipant p : mine) {
                long scheduled = window.startNanos() + p.phaseNanos + cycle * period;
                if (scheduled >= window.endNanos() || System.nanoTime() >= window.endNanos()) {
                    break timetable;
                }
                if (!p.stopped) {
                    LoadDriver.parkUntil(scheduled);
                    beat(worker, p, scheduled, window);
                }
            }
        }
        cancelLive(worker, mine, window);
    }

    /** One beat of a participant: its join until it has joined, then a restart, or its death when its kill time has come. */
    private void beat(VirtualUser worker, RtcParticipant p, long scheduled, RunWindow window) {
        Iteration iteration = new Iteration(window.isMeasured(scheduled) ? worker.recorder() : null, scheduled);
        String token = accounts[p.account].accessToken();
        MatrixClient client = worker.client();
        try {
            if (!p.joined) {
                long[] sent = new long[1];
                p.delayId = iteration.time(JOIN, () -> {
                    sent[0] = System.nanoTime();
                    return client.scheduleDelayedEmptyState(token, roomIds[p.account / ACCOUNTS_PER_ROOM], CALL_MEMBER, p.stateKey(),
                            delayMillis);
                });
                p.acknowledged(sent[0], System.nanoTime());
                p.joined = true;
            } else if (scheduled >= killAtNanos(p, window)) {
                p.kill(scheduled);
            } else {
                long sent = iteration.time(RESTART, () -> {
                    long start = System.nanoTime();
                    client.delayedEventAction(token, p.delayId, "restart");
                    return start;
                });
                p.acknowledged(sent, System.nanoTime());
            }
        } catch (RequestFailure failure) {
            if (p.joined && failure.errorKey().startsWith("404")) {
                p.lose();
            } else if (failure.isTransport()) {
                LoadDriver.parkUntil(System.nanoTime() + LoadDriver.TRANSPORT_ERROR_BACKOFF_NANOS);
            }
        }
    }

    private void cancelLive(VirtualUser worker, List<RtcParticipant> mine, RunWindow window) {
        long deadline = window.endNanos() + CANCEL_GRACE.toNanos();
        for (RtcParticipant p : mine) {
            if (p.joined && !p.stopped) {
                if (System.nanoTime() >= deadline) {
                    cancelsSkipped.incrementAndGet();
                    continue;
                }
                try {
                    worker.client().delayedEventAction(accounts[p.account].accessToken(), p.delayId, "cancel");
                } catch (RequestFailure failure) {
                    cancelFailures.incrementAndGet();
                }
            }
        }
    }

    @Override
    public void watch(VirtualUser watcher, RunWindow window, BooleanSupplier stopped) {
        SyncWatcher.watchUntilStopped(watcher, since, window, (response, arrived) -> {
            limitedTimelines.addAndGet(response.limitedTimelines());
            for (SyncEvents.Event event : response.events()) {
                if (CALL_MEMBER.equals(event.type()) && event.stateKey() != null) {
                    RtcParticipant p = byStateKey.get(event.stateKey());
                    if (p != null) {
                        p.leaveSeen(arrived);
                    }
                }
            }
        }, stopped);
    }

    /** Waits for the leaves of the killed participants (at most delay + {@link #DRAIN} after the window), then records them. */
    @Override
    public void settle(VirtualUser actor, RunWindow window) {
        long deadline = Math.max(window.endNanos(), System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(delayMillis) + DRAIN.toNanos();
        while (System.nanoTime() < deadline && leavesOutstanding() > 0) {
            LoadDriver.parkUntil(System.nanoTime() + SETTLE_POLL_NANOS);
        }
        outcome = record(actor.recorder(), window);
    }

    private long leavesOutstanding() {
        long outstanding = 0;
        for (RtcParticipant p : participants) {
            if (p.isKilled() && !p.isLeaveSeen()) {
                outstanding++;
            }
        }
        return outstanding;
    }

    private Map<String, Number> record(UserRecorder recorder, RunWindow window) {
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        long kills = 0;
        long seen = 0;
        long missing = 0;
        long early = 0;
        long liveLeaves = 0;
        long lost = 0;
        for (RtcParticipant p : participants) {
            lost += p.isLost() ? 1 : 0;
            kills += p.isKilled() ? 1 : 0;
            if (!p.isLeaveSeen()) {
                missing += p.isKilled() ? 1 : 0;
                continue;
            }
            if (p.lastOkSentNanos() != RtcParticipant.UNSET && p.leaveSeenNanos() < p.lastOkSentNanos() + delayNanos) {
                early++;
            }
            if (p.isKilled()) {
                seen++;
                recorder.recordLatency(LEAVE_LATENESS, p.leaveSeenNanos() - (p.lastAckNanos() + delayNanos));
            } else if (p.leaveSeenNanos() < window.endNanos()) {
                liveLeaves++;
            }
        }
        if (missing > 0) {
            recorder.recordErrors(LEAVE_LATENESS, DueEventLedger.MISSING, missing);
        }
        if (early > 0) {
            recorder.recordErrors(LEAVE_LATENESS, DueEventLedger.EARLY, early);
        }
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("kills", kills);
        figures.put("leavesSeen", seen);
        figures.put("missing", missing);
        figures.put("early", early);
        figures.put("liveLeaves", liveLeaves);
        figures.put("lostParticipants", lost);
        return figures;
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("participants", participants.length);
        figures.put("accounts", accounts.length);
        figures.put("rooms", roomIds.length);
        figures.put("workers", workers);
        figures.put("leaveDelayMs", delayMillis);
        figures.put("heartbeatIntervalMs", HEARTBEAT_INTERVAL_MS);
        figures.put("targetRestartsPerSecond", participants.length * 1000.0 / HEARTBEAT_INTERVAL_MS);
        figures.putAll(outcome);
        figures.put("limitedTimelines", limitedTimelines.get());
        figures.put("cancelFailures", cancelFailures.get());
        figures.put("cancelsSkipped", cancelsSkipped.get());
        return figures;
    }
}
