package org.callhs.core.room.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.RemoteEventAppender;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.RemoteEvents;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.CurrentStateRepository;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.repo.StreamPositionRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.MatrixIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches history this server never had (Server-Server API "Backfilling"): when a client pages
 * back past the oldest timeline event of a room joined over federation, the room's backward
 * extremities (prev events the timeline names but this server lacks) are asked of the other
 * servers in the room with {@code /backfill}. Each event gets the checks of a received PDU
 * (not the soft-fail one) and a negative stream position, counting down, so it sorts before
 * everything the timeline held (see the room README, "Pagination across servers").
 */
public final class Backfiller {
    private static final Logger log = LoggerFactory.getLogger(Backfiller.class);
    /** Most events asked for at once. */
    static final int BATCH = 50;

    private final Database database;
    private final String serverName;
    private final RoomRepository rooms;
    private final EventRepository events;
    private final CurrentStateRepository currentState;
    private final StreamPositionRepository streams;
    private final PduChecks checks;
    private final PduReceiver receiver;
    private final RemoteEventAppender appender;
    private final Supplier<RemoteEvents> remote;

    public Backfiller(Database database, String serverName, RoomRepository rooms, EventRepository events, CurrentStateRepository currentState,
                      StreamPositionRepository streams, PduChecks checks, PduReceiver receiver, RemoteEventAppender appender,
                      Supplier<RemoteEvents> remote) {
        this.database = database;
        this.serverName = serverName;
        this.rooms = rooms;
        this.events = events;
        this.currentState = currentState;
        this.streams = streams;
        this.checks = checks;
        this.receiver = receiver;
        this.appender = appender;
        this.remote = remote;
    }

    /** Fetches up to {@code limit} older events of the room; returns how many joined its timeline. */
    public int backfill(String roomId, int limit) {
        Optional<RoomsRecord> room = rooms.find(database.dsl(), roomId).filter(r -> !Boolean.TRUE.equals(r.getIsStub()));
        if (room.isEmpty()) return 0;
        RoomVersion version = RoomVersion.require(room.get().getRoomVersion());
        List<String> extremities = events.backwardExtremities(database.dsl(), roomId, 20);
        if (extremities.isEmpty()) return 0;
        Set<String> servers = new TreeSet<>();
        for (String member : currentState.members(database.dsl(), roomId, "join")) {
            if (MatrixIds.isValidUserId(member)) servers.add(MatrixIds.serverName(member));
        }
        servers.remove(serverName);
        for (String server : servers) {
            try {
                int added = backfillFrom(server, roomId, version, extremities, Math.min(Math.max(limit, 1), BATCH));
                if (added > 0) return added;
            } catch (RuntimeException e) {
                log.info("backfilling {} from {} failed: {}", roomId, server, e.getMessage());
            }
        }
        return 0;
    }

    private int backfillFrom(String server, String roomId, RoomVersion version, List<String> extremities, int limit) {
        List<JsonNode> fetched = remote.get().backfill(server, roomId, extremities, limit);
        Map<String, PduChecks.Checked> batch = new LinkedHashMap<>();
        for (JsonNode raw : fetched) {
            try {
                PduChecks.Checked checked = checks.check(raw, version, roomId);
                Optional<EventsRecord> known = events.findAny(database.dsl(), checked.eventId());
                if (known.isPresent() && !Boolean.TRUE.equals(known.get().getOutlier())) continue;
                batch.put(checked.eventId(), checked);
            } catch (InvalidPdu e) {
                log.info("dropping a backfilled event from {}: {}", server, e.getMessage());
            }
        }
        if (batch.isEmpty()) return 0;
        // Positions: the newest (deepest) event of the batch gets the highest, all below what the room held.
        List<PduChecks.Checked> newestFirst = new ArrayList<>(batch.values());
        newestFirst.sort(Comparator.<PduChecks.Checked>comparingLong(c -> c.pdu().path("depth").asLong()).reversed()
                .thenComparing(PduChecks.Checked::eventId));
        Map<String, Long> positions = new HashMap<>();
        long last = database.transaction(tx -> streams.advance(tx, "backfill", newestFirst.size()));
        long first = last - newestFirst.size() + 1;
        for (int i = 0; i < newestFirst.size(); i++) positions.put(newestFirst.get(i).eventId(), -(first + i));
        int added = 0;
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            PduChecks.Checked checked = newestFirst.get(i);
            receiver.fetchMissingAuthEvents(server, roomId, version, checked);
            List<Map<StateKey, String>> missing = new ArrayList<>();
            for (JsonNode prev : checked.pdu().path("prev_events")) {
                Optional<EventsRecord> record = events.findAny(database.dsl(), prev.asText());
                if (record.isPresent() && record.get().getStateGroupAfter() != null) continue;
                receiver.stateAfter(server, roomId, version, prev.asText()).ifPresent(missing::add);
            }
            RemoteEventAppender.Result result = appender.appendBackfilled(new RemoteEventAppender.Incoming(checked.eventId(), roomId,
                    checked.pdu(), checked.canonical(), missing), positions.get(checked.eventId()));
            if (result.outcome() == RemoteEventAppender.Outcome.ACCEPTED) added++;
        }
        return added;
    }
}
