package org.callhs.bench;

import java.util.List;

/**
 * Every virtual user sends into the same room. Setup registers one account per user; user 0
 * creates one room ({@code preset: public_chat}) and the others join it. Each iteration is one
 * {@code PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}} with a small
 * {@code m.text} body and a transaction ID unique to the run, user and message. All users
 * contend for one room, so this measures a server's write path for a single busy room
 * (events of one room are necessarily ordered: its DAG has one forward extremity).
 */
public final class SendOneRoomScenario implements Scenario {

    public static final String NAME = "send-one-room";
    public static final String SEND = "send";

    private final String runId;
    private final long[] sent;
    private volatile String roomId;

    public SendOneRoomScenario(String runId, int users) {
        this.runId = runId;
        this.sent = new long[users];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(SEND);
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, "s" + user.index());
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> {
                    if (user.index() == 0) {
                        roomId = user.client().createRoom(user.session().accessToken(), "public_chat", "bench " + NAME + " " + runId);
                    }
                },
                user -> {
                    if (user.index() != 0) {
                        user.client().joinRoom(user.session().accessToken(), roomId);
                    }
                });
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        int index = user.index();
        long n = ++sent[index];
        String txnId = txnId(runId, index, n);
        String token = user.session().accessToken();
        String room = roomId;
        iteration.time(SEND, () -> {
            user.client().sendText(token, room, txnId, "bench message " + n);
            return null;
        });
    }

    /** A transaction ID unique to the run, the user and the message: {@code bench.<runId>.<user>.<n>}. */
    static String txnId(String runId, int user, long n) {
        return "bench." + runId + "." + user + "." + n;
    }
}
