package org.callhs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code initial-sync}: one account joined to {@value #ROOMS} rooms, each with
 * {@value #OTHER_MEMBERS} other members and {@value #MESSAGES_PER_ROOM} messages; each
 * iteration is one initial {@code GET /_matrix/client/v3/sync} (no {@code since}, no filter:
 * the server's defaults) by one of the virtual users, each its own device of that account.
 *
 * <p>Setup: user 0 registers the account and the {@value #OTHER_MEMBERS} other members; the
 * other users log in to the account (one device each); then user {@code i} of {@code N} builds
 * rooms {@code i, i+N, ...}: creates it as the account ({@code public_chat}), has the other
 * members join, and sends the messages, from the account and the others in turn.
 *
 * <p>Each request carries a different {@code timeout}: an initial sync returns at once whatever
 * the timeout (on both servers), but Synapse caches sync responses for two minutes keyed by the
 * request's parameters and device, so a repeat of the very same request would be answered from
 * memory instead of being computed. Figures beyond latency: the mean response size and the
 * number of joined rooms in a response.
 */
final class InitialSyncScenario implements Scenario {

    static final String NAME = "initial-sync";
    static final String INITIAL_SYNC = "initialSync";
    static final int ROOMS = 100;
    static final int OTHER_MEMBERS = 2;
    static final int MESSAGES_PER_ROOM = 3;
    /** The tag of the syncing account (see {@link UserNames#account}). */
    private static final String ACCOUNT = "is";

    private final String runId;
    private final int users;
    private final MatrixClient.Session[] others = new MatrixClient.Session[OTHER_MEMBERS];
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong measuredResponses = new AtomicLong();
    private final AtomicLong measuredBytes = new AtomicLong();
    private volatile int joinedRooms = -1;

    InitialSyncScenario(String runId, int users) {
        this.runId = runId;
        this.users = users;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(INITIAL_SYNC);
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        if (user.index() != 0) {
            return;
        }
        user.register(runId, ACCOUNT);
        for (int k = 0; k < OTHER_MEMBERS; k++) {
            others[k] = user.client().register(UserNames.account(runId, "io" + k), UserNames.password(runId));
        }
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> {
                    if (user.index() != 0) {
                        user.login(runId, ACCOUNT);
                    }
                },
                user -> {
                    for (int room = user.index(); room < ROOMS; room += users) {
                        buildRoom(user, room);
                    }
                });
    }

    /** Creates room {@code room} as the account, has the other members join, sends its messages from each member in turn. */
    private void buildRoom(VirtualUser user, int room) throws RequestFailure {
        MatrixClient client = user.client();
        String roomId = client.createRoom(user.session().accessToken(), "public_chat", "bench " + NAME + " " + runId + " " + room);
        List<String> senders = new ArrayList<>(List.of(user.session().accessToken()));
        for (MatrixClient.Session other : others) {
            client.joinRoom(other.accessToken(), roomId);
            senders.add(other.accessToken());
        }
        for (int m = 0; m < MESSAGES_PER_ROOM; m++) {
            String txnId = "bench." + runId + ".is." + room + "." + m;
            client.sendText(senders.get(m % senders.size()), roomId, txnId, "bench message " + m + " in room " + room);
        }
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        String token = user.session().accessToken();
        long timeoutMs = requests.incrementAndGet();
        HttpResult result = iteration.time(INITIAL_SYNC, () -> user.client().sync(token, null, timeoutMs, null));
        if (joinedRooms < 0) {
            joinedRooms = SyncBatch.parse(result.body()).joinedRooms();
        }
        if (iteration.measured()) {
            measuredResponses.incrementAndGet();
            measuredBytes.addAndGet(result.body().length);
        }
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>();
        long responses = measuredResponses.get();
        figures.put("responseBytesMean", responses == 0 ? 0.0 : (double) measuredBytes.get() / responses);
        figures.put("joinedRooms", joinedRooms);
        return figures;
    }
}
