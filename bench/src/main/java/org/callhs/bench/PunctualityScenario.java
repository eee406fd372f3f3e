package org.callhs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code punctuality}: delayed events scheduled at a steady rate, each seen firing by a client
 * long-polling {@code /sync}. The actors (users 1..N, one account each; usually one) schedule
 * {@code --rate} delayed messages per second in total on an open-loop timetable, each with
 * {@code --delay} (default {@value #DEFAULT_DELAY_MS} ms), message {@code n} of an actor into room
 * {@code (n - 1) mod }{@value #ROOMS}. Actor 1 creates the rooms ({@code public_chat}), the other
 * actors and the watcher join them all.
 *
 * <p>Lateness is measured from {@code answer of the scheduling request + delay}: the latest the
 * server can have made the event due (it started the delay while handling the request). Firing
 * before {@code request sent + delay} counts as {@code early}. Series
 * {@link DueEventLedger#ORIGIN_TS_VS_DUE} compares the fired event's {@code origin_server_ts}
 * with that same due time: it is the firing lateness on a server that stamps a fired event with
 * the instant it sent it, and about 0 (minus the request's latency) on one that stamps it with
 * its due time.
 */
final class PunctualityScenario extends DelayedMessageScenario {

    static final String NAME = "punctuality";
    static final int ROOMS = 10;
    static final long DEFAULT_DELAY_MS = 3_000;

    private final long delayMillis;
    private final long[] sent;
    private OpenLoopDriver timetable;

    PunctualityScenario(String runId, int users, ScenarioOptions options) {
        super(runId, users, ROOMS);
        this.delayMillis = options.delayMillisOr(DEFAULT_DELAY_MS);
        this.sent = new long[users];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected String accountTag() {
        return "p";
    }

    @Override
    public LoadDriver driver(double rate, int userCount) {
        if (!(rate > 0)) {
            throw new IllegalArgumentException(NAME + " needs --rate (delayed events scheduled per second)");
        }
        timetable = new OpenLoopDriver(rate, actors);
        return super.driver(rate, userCount);
    }

    @Override
    protected List<SetupStep> roomSteps() {
        return List.of(
                user -> {
                    if (user.index() == 1) {
                        for (int room = 0; room < roomIds.length; room++) {
                            roomIds[room] = user.client().createRoom(user.session().accessToken(), "public_chat",
                                    "bench " + NAME + " " + runId + " " + room);
                        }
                    }
                },
                user -> {
                    if (user.index() > 1) {
                        for (String roomId : roomIds) {
                            user.client().joinRoom(user.session().accessToken(), roomId);
                        }
                    }
                });
    }

    @Override
    public void act(VirtualUser actor, RunWindow window) {
        timetable.runUser(actor, this, window);
    }

    /** One open-loop slot of an actor: one delayed message. */
    @Override
    public void iterate(VirtualUser actor, Iteration iteration) throws RequestFailure {
        int index = actor.index();
        long n = ++sent[index];
        String key = SendOneRoomScenario.txnId(runId, index, n);
        schedule(actor, iteration, roomIds[(int) ((n - 1) % roomIds.length)], key, sentNanos -> delayMillis);
    }

    @Override
    protected long dueNanos(DueEvent event) {
        return event.latestDueNanos();
    }

    @Override
    protected long settleDeadline(RunWindow window) {
        return System.nanoTime() + delayMillis * 1_000_000L + DRAIN.toNanos();
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        figures.put("delayMs", delayMillis);
        figures.putAll(super.figures());
        return figures;
    }
}
