package org.callhs.core.room;

import java.util.Set;
import org.callhs.core.room.remote.RemoteInvites;
import org.callhs.core.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a user out of every room they are joined to, invited to or knocking on, as their own
 * {@code leave} (account deactivation): through the room's writer where this server is in the
 * room, through the inviting server for an invite to a room this server is not in. A room that
 * refuses (its rules, an unreachable inviting server) is logged and skipped, so one room never
 * keeps the user in the others.
 */
public final class RoomDeparture {
    private static final Logger log = LoggerFactory.getLogger(RoomDeparture.class);
    private static final Set<String> PRESENT = Set.of("join", "invite", "knock");

    private final RoomWriter writer;
    private final RoomReader reader;
    private final RemoteInvites invites;

    public RoomDeparture(RoomWriter writer, RoomReader reader, RemoteInvites invites) {
        this.writer = writer;
        this.reader = reader;
        this.invites = invites;
    }

    /** Leaves every room; returns how many it left. */
    public int leaveAll(String userId, String deviceId) {
        int left = 0;
        for (RoomReader.Membership m : reader.memberships(userId)) {
            if (!PRESENT.contains(m.membership())) continue;
            try {
                leave(userId, m.roomId(), deviceId);
                left++;
            } catch (RuntimeException e) {
                log.warn("{} could not leave {} ({}): {}", userId, m.roomId(), m.membership(), e.getMessage());
            }
        }
        return left;
    }

    /**
     * The user leaves one room they are joined to, invited to or knocking on (rejecting an invite
     * through the inviting server when this server is not in the room); the refusal is thrown.
     */
    public void leave(String userId, String roomId, String deviceId) {
        if (invites.isStub(roomId)) {
            invites.reject(userId, roomId, null);
        } else {
            writer.send(new EventDraft(roomId, userId, deviceId, null, "m.room.member", userId,
                    Json.object().put("membership", "leave"), Json.object()));
        }
    }
}
