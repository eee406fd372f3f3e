package org.callhs.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The shape shared by the {@code /sync} delivery scenarios: user 0 is the one sender, every
 * other user a poller that holds a {@code /sync} long-poll ({@link LongPoller}). Each iteration
 * is one send by user 0 (series {@link #SEND}), open loop at {@code --rate}
 * ({@link FanOutDriver}); its unique body is registered with the {@link DeliveryTracker} just
 * before the request is issued, and every poller's response that carries it records a
 * delivery. After the run the sender waits up to {@link #DRAIN} for outstanding deliveries;
 * those still missing count as errors {@code missing} of series {@link DeliveryTracker#DELIVERY}
 * (its only errors).
 *
 * <p>Subclasses say who the users are (accounts, devices, rooms), how many pollers each
 * message is for, and how it is sent.
 */
abstract class FanOutScenario implements Scenario {

    static final int SENDER = 0;
    static final String SEND = "send";
    static final String MISSING = "missing";
    static final Duration DRAIN = Duration.ofSeconds(10);

    protected final String runId;
    protected final int pollers;
    protected final VirtualUser[] users;
    private final String[] since;
    private final DeliveryTracker tracker = new DeliveryTracker();
    private volatile boolean stopped;
    private long sent;

    protected FanOutScenario(String runId, int users) {
        if (users < 2) {
            throw new IllegalArgumentException("needs --users >= 2: user 0 sends, the others poll");
        }
        this.runId = runId;
        this.pollers = users - 1;
        this.users = new VirtualUser[users];
        this.since = new String[users];
    }

    /** Creates the account or device of {@code user} (unmeasured). */
    protected abstract void createIdentity(VirtualUser user) throws RequestFailure;

    /** Setup steps after {@link #createIdentity}: logins, rooms, joins. */
    protected abstract List<SetupStep> membershipSteps();

    /** How many pollers the {@code n}-th message (from 1) is for. */
    protected abstract int recipients(long n);

    /** Sends the {@code n}-th message, whose body must be {@code body}. */
    protected abstract void send(VirtualUser sender, long n, String body) throws RequestFailure;

    /** The 0-based poller number of a user: user {@code i} (from 1) is poller {@code i - 1}. */
    static int pollerOf(VirtualUser user) {
        return user.index() - 1;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(DeliveryTracker.DELIVERY, DeliveryTracker.ALL_DELIVERED, SEND, LongPoller.POLL);
    }

    @Override
    public final void prepare(VirtualUser user) throws RequestFailure {
        users[user.index()] = user;
        createIdentity(user);
    }

    @Override
    public final List<SetupStep> setupSteps() {
        List<SetupStep> steps = new ArrayList<>(membershipSteps());
        steps.add(user -> {
            if (user.index() != SENDER) {
                since[user.index()] = LongPoller.initialToken(user);
            }
        });
        return steps;
    }

    @Override
    public final LoadDriver driver(double rate, int userCount) {
        return new FanOutDriver(this, rate);
    }

    @Override
    public Duration longestRequest() {
        return Duration.ofMillis(LongPoller.TIMEOUT_MS);
    }

    @Override
    public Map<String, Number> figures() {
        return Map.of("pollers", pollers, "messagesSent", sent);
    }

    /** One send of the sender. */
    @Override
    public final void iterate(VirtualUser sender, Iteration iteration) throws RequestFailure {
        long n = ++sent;
        String body = SendOneRoomScenario.txnId(runId, SENDER, n);
        int recipients = recipients(n);
        iteration.time(SEND, () -> {
            tracker.sending(body, System.nanoTime(), iteration.measured(), recipients);
            send(sender, n, body);
            return null;
        });
    }

    void poll(VirtualUser poller, RunWindow window) {
        LongPoller.pollUntilStopped(poller, since[poller.index()], window, tracker, () -> stopped);
    }

    /** Waits for outstanding deliveries (at most {@link #DRAIN}), records the missing ones, stops the pollers. */
    void drainAndStop(VirtualUser sender) {
        tracker.awaitAllDelivered(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN.toMillis()));
        long missing = tracker.missing();
        if (missing > 0) {
            sender.recorder().recordErrors(DeliveryTracker.DELIVERY, MISSING, missing);
        }
        stopped = true;
        for (int i = 0; i < users.length; i++) {
            if (i != SENDER && users[i] != null) {
                users[i].connection().abort();
            }
        }
    }
}
