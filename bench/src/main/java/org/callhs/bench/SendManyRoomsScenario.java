package org.callhs.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Virtual users send into many rooms (100 for {@code send-100-rooms}), so that the server can
 * write to different rooms in parallel. Setup registers one account per user, then:
 * <ol>
 *   <li>creates the rooms ({@code preset: public_chat}), spread over the users: room {@code r}
 *       is created by user {@code (r + 1) mod N} (by user 0 when there is one user);</li>
 *   <li>each user joins the rooms it will send to (those it did not create), so each room has
 *       two members: its creator and its sender.</li>
 * </ol>
 * User {@code i} of {@code N} sends to rooms {@code i, i+N, i+2N, ...} in turn (round robin);
 * with more users than rooms, user {@code i} sends to room {@code i mod rooms}. Each iteration
 * is one {@code PUT .../rooms/{roomId}/send/m.room.message/{txnId}} with a small {@code m.text}
 * body, as in {@link SendOneRoomScenario}.
 */
public final class SendManyRoomsScenario implements Scenario {

    public static final String NAME = "send-100-rooms";
    public static final int ROOMS = 100;

    private final String runId;
    private final int users;
    private final int rooms;
    private final String[] roomIds;
    private final int[][] userRooms;
    private final long[] sent;

    public SendManyRoomsScenario(String runId, int users, int rooms) {
        if (users < 1 || rooms < 1) {
            throw new IllegalArgumentException("users and rooms must be >= 1");
        }
        this.runId = runId;
        this.users = users;
        this.rooms = rooms;
        this.roomIds = new String[rooms];
        this.sent = new long[users];
        this.userRooms = new int[users][];
        for (int user = 0; user < users; user++) {
            userRooms[user] = roomsOf(user, users, rooms);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> seriesNames() {
        return List.of(SendOneRoomScenario.SEND);
    }

    @Override
    public void prepare(VirtualUser user) throws RequestFailure {
        user.register(runId, "m" + user.index());
    }

    @Override
    public List<SetupStep> setupSteps() {
        return List.of(
                user -> {
                    for (int room = 0; room < rooms; room++) {
                        if (creatorOf(room, users) == user.index()) {
                            roomIds[room] = user.client().createRoom(user.session().accessToken(), "public_chat",
                                    "bench " + NAME + " " + runId + " " + room);
                        }
                    }
                },
                user -> {
                    for (int room : userRooms[user.index()]) {
                        if (creatorOf(room, users) != user.index()) {
                            user.client().joinRoom(user.session().accessToken(), roomIds[room]);
                        }
                    }
                });
    }

    /** The user that creates room {@code room}. */
    static int creatorOf(int room, int users) {
        return users == 1 ? 0 : (room + 1) % users;
    }

    /** The rooms user {@code user} sends to, in its round-robin order. */
    static int[] roomsOf(int user, int users, int rooms) {
        int stride = Math.min(users, rooms);
        List<Integer> mine = new ArrayList<>();
        for (int room = user % stride; room < rooms; room += stride) {
            mine.add(room);
        }
        return mine.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void iterate(VirtualUser user, Iteration iteration) throws RequestFailure {
        int index = user.index();
        long n = ++sent[index];
        String roomId = roomIds[roomOfMessage(index, n)];
        String txnId = SendOneRoomScenario.txnId(runId, index, n);
        String token = user.session().accessToken();
        iteration.time(SendOneRoomScenario.SEND, () -> {
            user.client().sendText(token, roomId, txnId, "bench message " + n);
            return null;
        });
    }

    /** The room user {@code user} sends its {@code n}-th message (from 1) to: its rooms in turn. */
    int roomOfMessage(int user, long n) {
        int[] mine = userRooms[user];
        return mine[(int) ((n - 1) % mine.length)];
    }
}
