package org.callhs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongUnaryOperator;

/**
 * The shape shared by {@code punctuality} and {@code mass-expiry}: the actors schedule delayed
 * {@code m.room.message} events (MSC4140, {@code PUT .../send/...?org.matrix.msc4140.delay=}) whose
 * body is unique to the run, into rooms the watcher has joined; the watcher's {@code /sync} shows
 * each one firing. Every actor has its own account. The {@link DueEventLedger} matches firings to
 * schedules and, once the run is over, records how late each one was seen after its due time
 * (series {@link DueEventLedger#LATENESS}; which due time is the subclass's choice), and the
 * missing and early ones (its errors).
 *
 * <p>Subclasses say who creates which rooms, when the actors schedule what, and which due time
 * lateness is measured from.
 */
abstract class DelayedMessageScenario implements WatchedScenario {

    static final String SCHEDULE = "schedule";

    protected final String runId;
    protected final int actors;
    protected final String[] roomIds;
    protected final DueEventLedger ledger = new DueEventLedger();
    private final AtomicLong limitedTimelines = new AtomicLong();
    private volatile String since;
    private volatile DueEventLedger.Outcome outcome;

    protected DelayedMessageScenario(String runId, int users, int rooms) {
        if (users < 2) {
            throw new IllegalArgumentException("needs --users >= 2: user 0 watches, the others schedule");
        }
        this.runId = runId;
        this.actors = users - 1;
        this.roomIds = new String[rooms];
    }

    /** The prefix of the account tags of this scenario (see {@link UserNames#account}). */
    protected abstract String accountTag();

    /** Setup steps that create the rooms and have the actors join the ones they schedule into. */
    protected abstract List<SetupStep> roomSteps();

    /** The instant lateness is measured from. */
    protected abstract long dueNanos(DueEvent event);

    /** Until when {@link #settle} waits for events still unseen. */
    protected abstract long settleDeadline(RunWindow window);

    @Override
    public List<String> seriesNames() {
        return List.of(DueEventLedger.LATENESS, DueEventLedger.ORIGIN_TS_VS_DUE, SCHEDULE, LongPoller.POLL);
    }

    @Override
    public final void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, accountTag() + (user.index() == WATCHER ? "w" : Integer.toString(user.index())));
    }

    @Override
    public final List<SetupStep> setupSteps() {
        List<SetupStep> steps = new ArrayList<>(roomSteps());
        steps.add(user -> {
            if (user.index() == WATCHER) {
                for (String roomId : roomIds) {
                    user.client().joinRoom(user.session().accessToken(), roomId);
                }
                since = LongPoller.initialToken(user);
            }
        });
        return steps;
    }

    /**
     * Schedules the delayed message {@code key} (also its body and transaction ID) into
     * {@code roomId}, timed as {@link #SCHEDULE}; its delay is computed from the instant the
     * request is sent. The ledger learns of it before the request leaves.
     */
    protected void schedule(VirtualUser actor, Iteration iteration, String roomId, String key, LongUnaryOperator delayMillisAt)
            throws RequestFailure {
        String token = actor.session().accessToken();
        iteration.time(SCHEDULE, () -> {
            long sent = System.nanoTime();
            long delayMillis = delayMillisAt.applyAsLong(sent);
            DueEvent event = ledger.scheduling(key, sent, delayMillis, iteration.measured());
            try {
                actor.client().scheduleDelayedText(token, roomId, key, key, delayMillis);
            } catch (RequestFailure failure) {
                ledger.failed(event);
                throw failure;
            }
            event.acknowledged(System.nanoTime());
            return null;
        });
    }

    @Override
    public void watch(VirtualUser watcher, RunWindow window, BooleanSupplier stopped) {
        SyncWatcher.watchUntilStopped(watcher, since, window, (response, arrived) -> {
            limitedTimelines.addAndGet(response.limitedTimelines());
            for (SyncEvents.Event event : response.events()) {
                if (event.body() != null) {
                    ledger.seen(event.body(), arrived, event.originServerTs());
                }
            }
        }, stopped);
    }

    @Override
    public void settle(VirtualUser actor, RunWindow window) {
        ledger.awaitSeen(settleDeadline(window));
        outcome = ledger.settle(actor.recorder(), this::dueNanos);
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("rooms", roomIds.length);
        DueEventLedger.Outcome o = outcome;
        if (o != null) {
            figures.put("expected", o.expected());
            figures.put("seen", o.seen());
            figures.put("missing", o.missing());
            figures.put("early", o.early());
            figures.put("seenWithinOneSecond", o.withinOneSecond());
        }
        figures.put("limitedTimelines", limitedTimelines.get());
        return figures;
    }
}
