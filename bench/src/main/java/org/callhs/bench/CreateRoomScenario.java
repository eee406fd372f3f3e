package org.callhs.bench;

import java.util.List;

/**
 * Setup registers one account per virtual user; each iteration is one
 * {@code POST /_matrix/client/v3/createRoom} with {@code preset: private_chat} and a
 * {@code name}. A new room costs a server several events in one go (create, the creator's
 * join, power levels, join rules, history visibility, name...), so this is a heavy write;
 * it is meant for a few users (4) in a closed loop.
 */
public final class CreateRoomScenario implements Scenario {

    public static final String NAME = "create-room";
    public static final String CREATE_ROOM = "createRoom";

    private final String runId;
    private final long[] created;

    public CreateRoomScenario(String runId, int users) {
        this.runId = runId;
        this.created = new long[users];
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(CREATE_ROOM);
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, "c" + user.index());
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        int index = user.index();
        long n = ++created[index];
        String token = user.session().accessToken();
        String name = "bench room " + runId + " " + index + "." + n;
        iteration.time(CREATE_ROOM, () -> user.client().createRoom(token, "private_chat", name));
    }
}
