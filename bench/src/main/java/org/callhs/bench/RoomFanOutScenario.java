package org.callhs.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Room messages fanned out to long-polling members. The pollers are split into rooms of
 * {@code roomSize} (the last one may be smaller); the sender creates every room
 * ({@code preset: public_chat}) and each poller joins its own, so a room holds the sender and
 * its pollers. Message {@code n} goes to room {@code (n - 1) mod rooms}, as
 * {@code PUT .../rooms/{roomId}/send/m.room.message/{txnId}} with a body unique to the run, and
 * is due to every poller of that room.
 * <ul>
 *   <li>{@code delivery-latency}: one room holding every poller (100 members): how long until
 *       each member's long-poll returns each message;</li>
 *   <li>{@code idle-long-polls}: rooms of {@value #IDLE_ROOM_SIZE} (1,000 pollers: 100 rooms)
 *       and a trickle of messages: what holding many idle long-polls costs the server, and how
 *       fast the woken ones return.</li>
 * </ul>
 */
final class RoomFanOutScenario extends FanOutScenario {

    static final String DELIVERY_LATENCY = "delivery-latency";
    static final String IDLE_LONG_POLLS = "idle-long-polls";
    static final int IDLE_ROOM_SIZE = 10;

    private final String name;
    private final int roomSize;
    private final String[] roomIds;

    RoomFanOutScenario(String name, String runId, int users, int roomSize) {
        super(runId, users);
        if (roomSize < 1) {
            throw new IllegalArgumentException("room size must be >= 1");
        }
        this.name = name;
        this.roomSize = roomSize;
        this.roomIds = new String[(pollers + roomSize - 1) / roomSize];
    }

    static RoomFanOutScenario deliveryLatency(String runId, int users) {
        return new RoomFanOutScenario(DELIVERY_LATENCY, runId, users, Math.max(1, users - 1));
    }

    static RoomFanOutScenario idleLongPolls(String runId, int users) {
        return new RoomFanOutScenario(IDLE_LONG_POLLS, runId, users, IDLE_ROOM_SIZE);
    }

    @Override
    public String name() {
        return name;
    }

    int rooms() {
        return roomIds.length;
    }

    /** The room of the {@code n}-th message (from 1): the rooms in turn. */
    int roomOfMessage(long n) {
        return (int) ((n - 1) % roomIds.length);
    }

    /** How many pollers room {@code room} holds. */
    int pollersIn(int room) {
        return Math.min(roomSize, pollers - room * roomSize);
    }

    @Override
    protected void createIdentity(VirtualUser user) throws RequestFailure {
        user.register(runId, "f" + user.index());
    }

    @Override
    protected List<SetupStep> membershipSteps() {
        return List.of(
                user -> {
                    if (user.index() == SENDER) {
                        for (int room = 0; room < roomIds.length; room++) {
                            roomIds[room] = user.client().createRoom(user.session().accessToken(), "public_chat",
                                    "bench " + name + " " + runId + " " + room);
                        }
                    }
                },
                user -> {
                    if (user.index() != SENDER) {
                        user.client().joinRoom(user.session().accessToken(), roomIds[pollerOf(user) / roomSize]);
                    }
                });
    }

    @Override
    protected int recipients(long n) {
        return pollersIn(roomOfMessage(n));
    }

    @Override
    protected void send(VirtualUser sender, long n, String body) throws RequestFailure {
        sender.client().sendText(sender.session().accessToken(), roomIds[roomOfMessage(n)], body, body);
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>(super.figures());
        figures.put("rooms", roomIds.length);
        return figures;
    }
}
