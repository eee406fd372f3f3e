package org.callhs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code heartbeats}: how many MSC4140 restarts ("heartbeats" that push a delayed event's due
 * time back, as MatrixRTC clients send them) a server sustains while many delayed events are
 * scheduled. Each iteration is one
 * {@code POST /_matrix/client/unstable/org.matrix.msc4140/delayed_events/{delay_id}/restart} with
 * {@code {}} and the owner's access token, for a delay ID picked uniformly at random among all
 * the scheduled ones (series {@value #RESTART}; closed loop, one connection per user).
 *
 * <p>Setup: {@code --accounts} accounts (default {@value #DEFAULT_ACCOUNTS}), registered by the
 * virtual users in turn (account {@code a} by user {@code a mod N}); the accounts form groups of
 * {@value #ACCOUNTS_PER_ROOM} sharing a room (the group's first account creates it,
 * {@code public_chat}, the others join); then {@code --events} delayed messages (default
 * {@value #DEFAULT_EVENTS}) with a delay of one hour, so that none fires during the run: event
 * {@code k} belongs to account {@code k mod accounts} and goes to its room. Scheduling runs on
 * {@link LoadGenerator#SETUP_CONCURRENCY} connections at a time; its rate is reported
 * ({@code setupSchedulesPerSecond}).
 */
final class HeartbeatScenario implements Scenario {

    static final String NAME = "heartbeats";
    static final String RESTART = "restart";
    static final int DEFAULT_EVENTS = 100_000;
    static final int DEFAULT_ACCOUNTS = 100;
    static final int ACCOUNTS_PER_ROOM = 10;
    static final long DELAY_MS = 3_600_000;

    private final String runId;
    private final int users;
    private final int accounts;
    private final MatrixClient.Session[] sessions;
    private final String[] roomIds;
    /** The delay ID of event {@code k}; its owner is account {@code k mod accounts}. */
    private final String[] delayIds;
    private final AtomicLong firstScheduleNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastScheduleNanos = new AtomicLong(Long.MIN_VALUE);

    HeartbeatScenario(String runId, int users, ScenarioOptions options) {
        this.runId = runId;
        this.users = users;
        this.accounts = options.accountsOr(DEFAULT_ACCOUNTS);
        this.sessions = new MatrixClient.Session[accounts];
        this.roomIds = new String[(accounts + ACCOUNTS_PER_ROOM - 1) / ACCOUNTS_PER_ROOM];
        this.delayIds = new String[options.eventsOr(DEFAULT_EVENTS)];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(RESTART);
    }

    int rooms() {
        return roomIds.length;
    }

    /** The room of account {@code account}: its group's. */
    static int roomOf(int account) {
        return account / ACCOUNTS_PER_ROOM;
    }

    /** The accounts (or events) user {@code user} of {@code users} handles in setup: {@code user, user + users, ...}. */
    private static void forEachOf(VirtualUser user, int users, int count, IndexedStep step) throws RequestFailure {
        for (int i = user.index(); i < count; i += users) {
            step.run(i);
        }
    }

    @FunctionalInterface
    private interface IndexedStep {
        void run(int index) throws RequestFailure;
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        forEachOf(user, users, accounts, a ->
                sessions[a] = user.client().register(UserNames.account(runId, "h" + a), UserNames.password(runId)));
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> forEachOf(user, users, accounts, a -> {
                    if (a % ACCOUNTS_PER_ROOM == 0) {
                        roomIds[roomOf(a)] = user.client().createRoom(sessions[a].accessToken(), "public_chat",
                                "bench " + NAME + " " + runId + " " + roomOf(a));
                    }
                }),
                user -> forEachOf(user, users, accounts, a -> {
                    if (a % ACCOUNTS_PER_ROOM != 0) {
                        user.client().joinRoom(sessions[a].accessToken(), roomIds[roomOf(a)]);
                    }
                }),
                user -> {
                    firstScheduleNanos.accumulateAndGet(System.nanoTime(), Math::min);
                    forEachOf(user, users, delayIds.length, k -> {
                        int account = k % accounts;
                        String txnId = "bench." + runId + ".hb." + k;
                        delayIds[k] = user.client().scheduleDelayedText(sessions[account].accessToken(), roomIds[roomOf(account)],
                                txnId, "bench heartbeat " + k, DELAY_MS);
                    });
                    lastScheduleNanos.accumulateAndGet(System.nanoTime(), Math::max);
                });
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        int k = ThreadLocalRandom.current().nextInt(delayIds.length);
        String token = sessions[k % accounts].accessToken();
        String delayId = delayIds[k];
        iteration.time(RESTART, () -> {
            user.client().delayedEventAction(token, delayId, "restart");
            return null;
        });
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("scheduledEvents", delayIds.length);
        figures.put("accounts", accounts);
        figures.put("rooms", roomIds.length);
        long first = firstScheduleNanos.get();
        long last = lastScheduleNanos.get();
        if (last > first) {
            figures.put("setupSchedulesPerSecond", delayIds.length / ((last - first) / 1e9));
        }
        return figures;
    }
}
