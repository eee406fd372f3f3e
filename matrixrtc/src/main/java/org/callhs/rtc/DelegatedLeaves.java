package org.callhs.rtc;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.callhs.core.spi.DelayedEventActions;
import org.callhs.core.spi.DelayedEventActions.Outcome;
import org.callhs.core.storage.Database;

/**
 * Watches over delayed leaves handed to the LiveKit service, one per LiveKit participant, with
 * lk-jwt-service's life cycle:
 * <ul>
 * <li><b>waiting</b> for the participant to show up on the SFU (its {@code participant_joined}
 *     webhook, or a look-up on the SFU, retried with back-off): when they do not within the
 *     delayed event's timeout, the leave is sent; a connection that fails before that is ignored
 *     (the client tries again);
 * <li><b>connected</b>: the delayed event is restarted at once and then every half of its timeout,
 *     so the leave does not fire while the SFU sees the participant; when the SFU reports them
 *     gone ({@code participant_left}, {@code participant_connection_aborted}, checked with a
 *     look-up so that a client's new session under the same identity keeps it; or a periodic
 *     look-up that finds them absent), the leave is sent at once: the others see it within
 *     seconds instead of after the timeout;
 * <li><b>done</b>: the leave was sent, the delayed event is gone (cancelled, sent or replaced by
 *     the client), or a newer hand-over of the same participant replaced this one.
 * </ul>
 * The watches are stored ({@link DelegatedLeaveRepository}) and resume waiting after a restart
 * of the server. Restarts and sends go through {@link DelayedEventActions}, owner-checked.
 * Thread safety: each watch's state changes under its own lock; the blocking actions run on
 * virtual threads, outside it; one scheduler thread runs the timers.
 */
final class DelegatedLeaves implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DelegatedLeaves.class);
    private static final long FIRST_LOOKUP_MS = 500;
    private static final long MAX_LOOKUP_MS = 10_000;
    private static final long RETRY_MS = 1_000;

    /** How the SFU is asked whether a participant is there; empty when it cannot tell. */
    @FunctionalInterface
    interface Presence {
        /** Whether {@code identity} is in {@code room}; throws when the SFU cannot be asked. */
        boolean present(String room, String identity) throws Exception;
    }

    private enum State { WAITING, CONNECTED, DONE }

    private record Key(String room, String identity) {}

    private final class Watch {
        final DelegatedLeave leave;
        State state = State.WAITING;
        ScheduledFuture<?> timer;
        ScheduledFuture<?> lookup;
        long lookupDelayMs = FIRST_LOOKUP_MS;

        Watch(DelegatedLeave leave) { this.leave = leave; }

        Key key() { return new Key(leave.room(), leave.identity()); }

        void cancelTimers() {
            if (timer != null) timer.cancel(false);
            if (lookup != null) lookup.cancel(false);
            timer = null;
            lookup = null;
        }
    }

    private final Database database;
    private final DelegatedLeaveRepository repository;
    private final Supplier<DelayedEventActions> actions;
    private final Presence presence;
    private final long participantCheckMs;
    private final Clock clock;
    private final Map<Key, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rtc-delegated-leaves");
        t.setDaemon(true);
        return t;
    });
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();

    /** @param participantCheckMs how often a connected participant is looked up on the SFU; 0: never */
    DelegatedLeaves(Database database, DelegatedLeaveRepository repository, Supplier<DelayedEventActions> actions, Presence presence,
                    long participantCheckMs, Clock clock) {
        this.database = database;
        this.repository = repository;
        this.actions = actions;
        this.presence = presence;
        this.participantCheckMs = participantCheckMs;
        this.clock = clock;
    }

    /** Takes over {@code leave}, durably, replacing the watch of an earlier hand-over of the same participant. */
    void handOver(DelegatedLeave leave) {
        database.transaction(tx -> {
            repository.put(tx, leave, clock.millis());
            return null;
        });
        start(new Watch(leave));
    }

    /** Picks up the stored watches again (at start-up): each waits for its participant anew. */
    void resume() {
        for (DelegatedLeave leave : repository.all(database.dsl())) start(new Watch(leave));
    }

    /** How many participants are watched (for tests and metrics). */
    int watching() { return watches.size(); }

    private void start(Watch watch) {
        Watch old = watches.put(watch.key(), watch);
        if (old != null) {
            synchronized (old) {
                old.state = State.DONE;
                old.cancelTimers();
            }
        }
        synchronized (watch) {
            watch.timer = timers.schedule(() -> waitingTimedOut(watch), watch.leave.timeoutMs(), TimeUnit.MILLISECONDS);
            scheduleLookup(watch, watch.lookupDelayMs);
        }
    }

    /** LiveKit's {@code participant_joined}. */
    void joined(String room, String identity) {
        Watch watch = watches.get(new Key(room, identity));
        if (watch != null) connected(watch);
    }

    /**
     * LiveKit's {@code participant_left} or {@code participant_connection_aborted}:
     * {@code aborted} when the connection was lost rather than closed by the client. Before the
     * participant was seen, it is ignored: a first connection that failed is followed by the
     * client's next attempt (Element Call retries at once), and the waiting time-out still
     * bounds a client that never connects. Once connected, the leave is sent, unless the SFU
     * still has the identity: a client that reconnected has a new session under the same
     * identity, and LiveKit reports the old one gone.
     */
    void left(String room, String identity, boolean aborted) {
        Watch watch = watches.get(new Key(room, identity));
        if (watch == null) return;
        synchronized (watch) {
            if (watch.state != State.CONNECTED) return;
        }
        work.execute(() -> {
            if (stillThere(watch)) {
                log.debug("delegated leave {} kept: the SFU still has the participant (a new session)", watch.leave.delayId());
                return;
            }
            sendLeave(watch, aborted ? "the SFU lost the participant's connection" : "the participant left the SFU");
        });
    }

    /** Whether the SFU has the participant now; false when it cannot tell (the webhook is believed then). */
    private boolean stillThere(Watch watch) {
        if (presence == null) return false;
        try {
            return presence.present(watch.leave.room(), watch.leave.identity());
        } catch (Exception e) {
            log.debug("participant look-up after a leave failed, leave believed: {}", e.toString());
            return false;
        }
    }

    private void connected(Watch watch) {
        synchronized (watch) {
            if (watch.state != State.WAITING) return;
            watch.state = State.CONNECTED;
            watch.cancelTimers();
        }
        work.execute(() -> restart(watch));
    }

    private void restart(Watch watch) {
        synchronized (watch) {
            if (watch.state != State.CONNECTED) return;
        }
        Outcome outcome;
        try {
            outcome = actions.get().restart(watch.leave.delayId(), watch.leave.userId());
        } catch (RuntimeException e) {
            log.warn("restart of delegated leave {} failed, retrying: {}", watch.leave.delayId(), e.toString());
            synchronized (watch) {
                if (watch.state == State.CONNECTED) watch.timer = timers.schedule(() -> work.execute(() -> restart(watch)), RETRY_MS,
                        TimeUnit.MILLISECONDS);
            }
            return;
        }
        synchronized (watch) {
            if (watch.state != State.CONNECTED) return;
            if (outcome == Outcome.NOT_FOUND) {
                finish(watch, "the delayed event is no longer scheduled");
                return;
            }
            // Half the timeout: lk-jwt-service restarts at 80 %, which leaves a 2 s delay only 0.4 s for a late
            // restart on a busy machine (seen in CI); half leaves as much as the interval itself.
            long next = Math.max(1, watch.leave.timeoutMs() / 2);
            watch.timer = timers.schedule(() -> work.execute(() -> restart(watch)), next, TimeUnit.MILLISECONDS);
            if (participantCheckMs > 0 && watch.lookup == null) scheduleCheck(watch);
        }
    }

    private void waitingTimedOut(Watch watch) {
        synchronized (watch) {
            if (watch.state != State.WAITING) return;
        }
        sendLeave(watch, "the participant did not show up on the SFU in time");
    }

    private void sendLeave(Watch watch, String why) {
        synchronized (watch) {
            if (watch.state == State.DONE) return;
            watch.state = State.DONE;
            watch.cancelTimers();
        }
        work.execute(() -> {
            try {
                Outcome outcome = actions.get().sendNow(watch.leave.delayId(), watch.leave.userId());
                log.info("delegated leave {} of {} {}: {}", watch.leave.delayId(), watch.leave.userId(),
                        outcome == Outcome.DONE ? "sent" : "was no longer scheduled", why);
            } catch (RuntimeException e) {
                log.warn("delegated leave {} of {} could not be sent ({}): {}", watch.leave.delayId(), watch.leave.userId(), why, e.toString());
            } finally {
                forget(watch);
            }
        });
    }

    /** Ends a watch without sending; called under the watch's lock. */
    private void finish(Watch watch, String why) {
        watch.state = State.DONE;
        watch.cancelTimers();
        log.debug("delegated leave {} no longer watched: {}", watch.leave.delayId(), why);
        work.execute(() -> forget(watch));
    }

    private void forget(Watch watch) {
        watches.remove(watch.key(), watch);
        try {
            database.transaction(tx -> {
                repository.remove(tx, watch.leave);
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("could not forget delegated leave {}: {}", watch.leave.delayId(), e.toString());
        }
    }

    /** Looks the participant up while waiting, with back-off, in case its join webhook does not come (or came first). */
    private void scheduleLookup(Watch watch, long delayMs) {
        if (presence == null) return;
        watch.lookup = timers.schedule(() -> work.execute(() -> lookUp(watch)), delayMs, TimeUnit.MILLISECONDS);
    }

    private void lookUp(Watch watch) {
        synchronized (watch) {
            if (watch.state != State.WAITING) return;
        }
        boolean present = false;
        try {
            present = presence.present(watch.leave.room(), watch.leave.identity());
        } catch (Exception e) {
            log.debug("participant look-up failed: {}", e.toString());
        }
        if (present) {
            connected(watch);
            return;
        }
        synchronized (watch) {
            if (watch.state != State.WAITING) return;
            watch.lookupDelayMs = Math.min(MAX_LOOKUP_MS, watch.lookupDelayMs * 2);
            scheduleLookup(watch, watch.lookupDelayMs);
        }
    }

    /** While connected, looks the participant up every {@code participantCheckMs}, in case a webhook was missed. */
    private void scheduleCheck(Watch watch) {
        if (presence == null) return;
        watch.lookup = timers.schedule(() -> work.execute(() -> check(watch)), participantCheckMs, TimeUnit.MILLISECONDS);
    }

    private void check(Watch watch) {
        synchronized (watch) {
            if (watch.state != State.CONNECTED) return;
        }
        Boolean present = null;
        try {
            present = presence.present(watch.leave.room(), watch.leave.identity());
        } catch (Exception e) {
            log.debug("participant check failed, kept: {}", e.toString());
        }
        if (Boolean.FALSE.equals(present)) {
            sendLeave(watch, "the SFU no longer has the participant");
            return;
        }
        synchronized (watch) {
            if (watch.state == State.CONNECTED) scheduleCheck(watch);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
        work.shutdown();
        try {
            work.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
