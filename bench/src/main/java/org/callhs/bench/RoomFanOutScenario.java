package org.callhs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 *       fast the woken ones return;</li>
 *   <li>{@code sticky-fanout}: one room holding every poller (500 members in the sticky
 *       benchmark), and each message a sticky MatrixRTC membership (MSC4354,
 *       {@value #STICKY_TYPE}, sticky for an hour): how long until each member's long-poll has
 *       it, in its timeline or its sticky section (counted once per member).</li>
 * </ul>
 */
final class RoomFanOutScenario extends FanOutScenario {

    static final String DELIVERY_LATENCY = "delivery-latency";
    static final String IDLE_LONG_POLLS = "idle-long-polls";
    static final String STICKY_FANOUT = "sticky-fanout";
    /** {@code federated-room-message}: the sender's room on one server, its members on another (they join over federation). */
    static final String FEDERATED = "federated-room-message";
    static final String STICKY_TYPE = "org.matrix.msc4143.rtc.member";
    static final long STICKY_DURATION_MS = 3_600_000;
    static final int IDLE_ROOM_SIZE = 10;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final boolean sticky;
    private final int roomSize;
    private final String[] roomIds;
    /** The sender's server name (from its user ID): where the pollers of {@value #FEDERATED} join through. */
    private volatile String senderServer;

    RoomFanOutScenario(String name, String runId, int users, int roomSize, boolean sticky) {
        super(runId, users);
        this.sticky = sticky;
        if (roomSize < 1) {
            throw new IllegalArgumentException("room size must be >= 1");
        }
        this.name = name;
        this.roomSize = roomSize;
        this.roomIds = new String[(pollers + roomSize - 1) / roomSize];
    }

    static RoomFanOutScenario deliveryLatency(String runId, int users) {
        return new RoomFanOutScenario(DELIVERY_LATENCY, runId, users, Math.max(1, users - 1), false);
    }

    static RoomFanOutScenario federated(String runId, int users) {
        return new RoomFanOutScenario(FEDERATED, runId, users, Math.max(1, users - 1), false);
    }

    static RoomFanOutScenario stickyFanOut(String runId, int users) {
        return new RoomFanOutScenario(STICKY_FANOUT, runId, users, Math.max(1, users - 1), true);
    }

    static RoomFanOutScenario idleLongPolls(String runId, int users) {
        return new RoomFanOutScenario(IDLE_LONG_POLLS, runId, users, IDLE_ROOM_SIZE, false);
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
                        String senderId = user.session().userId();
                        senderServer = senderId.substring(senderId.indexOf(':') + 1);
                        for (int room = 0; room < roomIds.length; room++) {
                            roomIds[room] = user.client().createRoom(user.session().accessToken(), "public_chat",
                                    "bench " + name + " " + runId + " " + room);
                        }
                    }
                },
                user -> {
                    if (user.index() != SENDER) {
                        String roomId = roomIds[pollerOf(user) / roomSize];
                        if (name.equals(FEDERATED)) {
                            // The pollers' server joins the room through the sender's (v12 room IDs name no server).
                            user.client().joinRoomVia(user.session().accessToken(), roomId, senderServer);
                        } else {
                            user.client().joinRoom(user.session().accessToken(), roomId);
                        }
                    }
                });
    }

    @Override
    protected int recipients(long n) {
        return pollersIn(roomOfMessage(n));
    }

    @Override
    protected void send(VirtualUser sender, long n, String body) throws RequestFailure {
        if (sticky) {
            // A MatrixRTC-like membership: its body and sticky key are the run-unique text the pollers look for.
            ObjectNode content = JSON.createObjectNode().put("body", body).put("msc4354_sticky_key", body).put("slot_id", "m.call#ROOM");
            sender.client().sendSticky(sender.session().accessToken(), roomIds[roomOfMessage(n)], STICKY_TYPE, body, content,
                    STICKY_DURATION_MS);
        } else {
            sender.client().sendText(sender.session().accessToken(), roomIds[roomOfMessage(n)], body, body);
        }
    }

    @Override
    public Map<String, Number> figures() {
        Map<String, Number> figures = new LinkedHashMap<>(super.figures());
        figures.put("rooms", roomIds.length);
        return figures;
    }
}
