package org.callhs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code mass-expiry}: {@code --events} delayed events (default {@value #DEFAULT_EVENTS}) all due
 * at the same instant T, and how soon the watching client sees each one fire. Every actor (users
 * 1..N) has its own account and creates its own room ({@code public_chat}), which the watcher
 * joins; actor {@code a} schedules events {@code k} with {@code k mod N = a - 1}, as fast as it
 * can, from the start of the measured window. T is the middle of the measured window; each delay
 * is computed, in whole milliseconds rounded up, from the instant its request is sent, so that
 * the server cannot correctly fire any event before T. With the default 20 actors a room receives
 * 50 events, well under the watcher's timeline limit of 100.
 *
 * <p>Lateness is measured from T (series {@link DueEventLedger#LATENESS}: its maximum is when the
 * last event was seen); a sighting before T is {@code early}. The run also reports how long the
 * scheduling burst took ({@code schedulingSeconds}, from the start of the window to the last
 * answer) and how many answers came after T ({@code answeredAfterDue}, events that could not be
 * due at T).
 */
final class MassExpiryScenario extends DelayedMessageScenario {

    static final String NAME = "mass-expiry";
    static final int DEFAULT_EVENTS = 1000;

    private final int events;
    private final AtomicLong lastAnswerNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong answeredAfterDue = new AtomicLong();
    private volatile RunWindow window;

    MassExpiryScenario(String runId, int users, ScenarioOptions options) {
        super(runId, users, Math.max(1, users - 1));
        this.events = options.eventsOr(DEFAULT_EVENTS);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String accountTag() {
        return "x";
    }

    /** T: the middle of the measured window. */
    static long dueAt(RunWindow window) {
        return window.measureStartNanos() + (window.endNanos() - window.measureStartNanos()) / 2;
    }

    /** Whole milliseconds from {@code sentNanos} to {@code dueNanos}, rounded up, at least 1. */
    static long delayMillis(long sentNanos, long dueNanos) {
        return Math.max(1, Math.ceilDiv(dueNanos - sentNanos, 1_000_000L));
    }

    @Override
    protected List<SetupStep> roomSteps() {
        return List.of(user -> {
            if (user.index() != WATCHER) {
                roomIds[user.index() - 1] = user.client().createRoom(user.session().accessToken(), "public_chat",
                        "bench " + NAME + " " + runId + " " + user.index());
            }
        });
    }

    @Override
    public void act(VirtualUser actor, RunWindow window) {
        this.window = window;
        long due = dueAt(window);
        String roomId = roomIds[actor.index() - 1];
        LoadDriver.parkUntil(window.measureStartNanos());
        for (int k = actor.index() - 1; k < events; k += actors) {
            Iteration iteration = new Iteration(actor.recorder(), System.nanoTime());
            try {
                schedule(actor, iteration, roomId, SendOneRoomScenario.txnId(runId, actor.index(), k), sent -> delayMillis(sent, due));
            } catch (RequestFailure failure) {
                if (failure.isTransport()) {
                    LoadDriver.parkUntil(System.nanoTime() + LoadDriver.TRANSPORT_ERROR_BACKOFF_NANOS);
                }
                continue;
            }
            long answered = System.nanoTime();
            lastAnswerNanos.accumulateAndGet(answered, Math::max);
            if (answered > due) {
                answeredAfterDue.incrementAndGet();
            }
        }
    }

    @Override
    protected long dueNanos(DueEvent event) {
        return dueAt(window);
    }

    @Override
    protected long settleDeadline(RunWindow window) {
        return Math.max(dueAt(window), System.nanoTime()) + DRAIN.toNanos();
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("events", events);
        RunWindow w = window;
        if (w != null) {
            figures.put("dueSecondsAfterWindowStart", (dueAt(w) - w.measureStartNanos()) / 1e9);
            long last = lastAnswerNanos.get();
            if (last != Long.MIN_VALUE) {
                figures.put("schedulingSeconds", (last - w.measureStartNanos()) / 1e9);
            }
        }
        figures.put("answeredAfterDue", answeredAfterDue.get());
        figures.putAll(super.figures());
        return figures;
    }
}
