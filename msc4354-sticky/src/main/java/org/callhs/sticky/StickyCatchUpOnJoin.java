package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.callhs.core.error.MatrixException;
import org.callhs.core.event.EventHashes;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.EventListener;
import org.callhs.core.spi.FederatedRooms;
import org.callhs.core.spi.RemoteEvents;
import org.callhs.core.spi.ServerJoinListener;
import org.callhs.core.storage.Database;
import org.callhs.core.util.MatrixIds;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side's half of MSC4354's "when a new server joins the room": once this server joins a
 * room other servers are in (its first user's join, committed), it asks one of them for the room's
 * recent history ({@code /backfill} from the join's prev events, at most {@code join_catch_up_events}
 * events, stopping at events older than the longest stickiness) and receives the unexpired sticky
 * events other servers' users sent there, exactly as if they had been pushed: every check on receipt,
 * then stored as old events that reach this server's users through {@code /sync}.
 *
 * <p>The MSC has each server push its own sticky events to a new server, and callhs does; this covers
 * servers that do not (Synapse 1.163 pushes nothing to a server that joins), so a call's memberships on
 * such a server are seen at once rather than when their senders next send one. An event both pushed and
 * taken here is stored once. On a background thread, after the join's commit: the join never waits for it.
 */
final class StickyCatchUpOnJoin implements ServerJoinListener, EventListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StickyCatchUpOnJoin.class);
    /** Most events one {@code /backfill} asks for (Synapse and callhs answer at most 100). */
    static final int PAGE = 100;
    /** Most events a page of {@code /backfill} starts from. */
    static final int MAX_FROM = 20;

    private final String ourName;
    private final Database database;
    private final Supplier<RemoteEvents> remote;
    private final Supplier<FederatedRooms> rooms;
    private final Clock clock;
    private final int maxEvents;
    /** Joins of this server written and not yet committed, by event ID: what to fetch once they are. */
    private final Map<String, Pull> pending = new ConcurrentHashMap<>();
    private final ExecutorService worker = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sticky-catch-up-", 0).factory());

    /** What to fetch after a join: in which room, starting where. */
    private record Pull(String roomId, RoomVersion version, List<String> from) {}

    StickyCatchUpOnJoin(String ourName, Database database, Supplier<RemoteEvents> remote, Supplier<FederatedRooms> rooms, Clock clock,
                        int maxEvents) {
        this.ourName = ourName;
        this.database = database;
        this.remote = remote;
        this.rooms = rooms;
        this.clock = clock;
        this.maxEvents = maxEvents;
    }

    @Override
    public void serverJoined(DSLContext tx, String roomId, String server, PersistedEvent join) {
        if (maxEvents == 0 || !server.equals(ourName)) return;
        List<String> from = new ArrayList<>();
        for (JsonNode id : join.pdu().path("prev_events")) if (id.isTextual()) from.add(id.textValue());
        if (!from.isEmpty()) pending.put(join.eventId(), new Pull(roomId, join.version(), from));
    }

    @Override
    public void onEvent(PersistedEvent event) {
        Pull pull = pending.remove(event.eventId());
        if (pull != null) worker.execute(() -> catchUp(pull));
    }

    /**
     * Takes the unexpired sticky events of the room's recent history from the first other server
     * in the room that answers (none for a room created here: the room is read on this thread, off
     * the join's transaction).
     */
    void catchUp(Pull pull) {
        Set<String> servers = new TreeSet<>(rooms.get().joinedServers(database.dsl(), pull.roomId()));
        servers.remove(ourName);
        for (String server : servers) {
            List<JsonNode> history;
            try {
                history = history(server, pull);
            } catch (RuntimeException e) {
                log.info("taking the recent history of {} from {} failed: {}", pull.roomId(), server, e.getMessage());
                continue;
            }
            long now = clock.millis();
            List<JsonNode> sticky = new ArrayList<>();
            for (JsonNode pdu : history) {
                String sender = pdu.path("sender").asText("");
                if (pdu.has("state_key") || !MatrixIds.isValidUserId(sender) || MatrixIds.serverName(sender).equals(ourName)) continue;
                if (StickyDuration.expiry(pdu, now).orElse(0) > now) sticky.add(pdu);
            }
            sticky.sort(Comparator.comparingLong(p -> p.path("depth").asLong()));
            int accepted = 0;
            for (int i = 0; i < sticky.size(); i += 50) {
                List<JsonNode> batch = sticky.subList(i, Math.min(sticky.size(), i + 50));
                try {
                    for (FederatedRooms.PduResult result : rooms.get().receive(server, batch)) {
                        if (result.error() == null) accepted++;
                    }
                } catch (MatrixException e) {
                    // This server's own inbound limit (more sticky events than its burst): the rest are not taken; log it.
                    log.info("taking sticky events of {} stopped after {}: {}", pull.roomId(), i, e.getMessage());
                    break;
                }
            }
            log.info("joined {}: took {} unexpired sticky event(s) of other servers ({} accepted) from {} of {} recent events of {}",
                    pull.roomId(), sticky.size(), accepted, history.size(), maxEvents, server);
            return;
        }
    }

    /** The room's recent history from {@code server}, newest first, at most {@code maxEvents}, back to the longest stickiness. */
    private List<JsonNode> history(String server, Pull pull) {
        long horizon = clock.millis() - StickyDuration.MAX_EFFECTIVE_MS;
        List<JsonNode> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> from = pull.from();
        while (all.size() < maxEvents && !from.isEmpty()) {
            List<JsonNode> page = remote.get().backfill(server, pull.roomId(), from, Math.min(PAGE, maxEvents - all.size()));
            List<JsonNode> fresh = new ArrayList<>();
            for (JsonNode pdu : page) {
                if (!(pdu instanceof ObjectNode object)) continue;
                String id;
                try {
                    ObjectNode copy = object.deepCopy();
                    copy.remove("unsigned");
                    id = EventHashes.eventId(copy, pull.version());
                } catch (RuntimeException e) {
                    continue;
                }
                if (seen.add(id)) fresh.add(pdu);
            }
            if (fresh.isEmpty()) break;
            all.addAll(fresh);
            if (fresh.stream().allMatch(p -> p.path("origin_server_ts").asLong() < horizon)) break;
            Set<String> next = new LinkedHashSet<>();
            fresh.sort(Comparator.comparingLong(p -> p.path("depth").asLong()));
            for (JsonNode pdu : fresh) {
                for (JsonNode prev : pdu.path("prev_events")) {
                    if (prev.isTextual() && !seen.contains(prev.textValue()) && next.size() < MAX_FROM) next.add(prev.textValue());
                }
            }
            from = List.copyOf(next);
        }
        return all;
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
