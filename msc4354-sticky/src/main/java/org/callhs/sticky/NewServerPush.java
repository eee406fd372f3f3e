package org.callhs.sticky;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.ServerJoinListener;
import org.callhs.core.spi.ServerOutbox;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;

/**
 * MSC4354 "When a new server joins the room, existing servers MUST attempt to push all of their
 * own sticky events": when a server becomes resident in a room (its first user joins), every
 * unexpired sticky event this server's users sent there is queued for it, in stream order, in the
 * join's own transaction. It is therefore durable, and ahead of anything queued for that server
 * after the join; the queue sends at most 50 PDUs per transaction and wakes on the committed join,
 * without waiting for new activity. Other servers' sticky events are theirs to push (the MSC
 * restricts each server to its own, so a newly joined server does not get every event once per
 * server in the room).
 */
final class NewServerPush implements ServerJoinListener {
    private final String ourName;
    private final StickyIndex index;
    private final Supplier<ServerOutbox> outbox;
    private final Clock clock;

    NewServerPush(String ourName, StickyIndex index, Supplier<ServerOutbox> outbox, Clock clock) {
        this.ourName = ourName;
        this.index = index;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Override
    public void serverJoined(DSLContext tx, String roomId, String server, PersistedEvent join) {
        if (server.equals(ourName)) return;
        List<String> ours = new ArrayList<>();
        for (StickyEventRepository.Row row : index.inRooms(List.of(roomId), Long.MIN_VALUE, Long.MAX_VALUE, clock.millis(),
                Integer.MAX_VALUE)) {
            if (MatrixIds.isValidUserId(row.sender()) && MatrixIds.serverName(row.sender()).equals(ourName)) ours.add(row.eventId());
        }
        if (!ours.isEmpty()) outbox.get().enqueueEvents(tx, server, ours);
    }
}
