package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RelatesTo;
import org.callhs.core.room.RoomReader;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventRelationRepository;
import org.callhs.core.storage.schema.tables.records.EventRelationsRecord;
import org.callhs.core.util.Json;

/**
 * Reading relations and threads.
 *
 * <ul>
 * <li>{@code GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}[/{eventType}]]}
 *     (<a href="https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidrelationseventid">spec</a>):
 *     the events relating to an event the requester may see (404 {@code M_NOT_FOUND} otherwise),
 *     optionally of one rel_type and event type, {@code dir} b (default) or f, {@code from} /
 *     {@code to} tokens (this endpoint's, {@code /messages}' or {@code /sync}'s), {@code limit}
 *     (default 5, at most 1000), and {@code recurse} (MSC3981, also {@code org.matrix.msc3981.recurse}):
 *     relations of relations too, {@value #MAX_DEPTH} levels deep, with {@code recursion_depth}.
 * <li>{@code GET /_matrix/client/v1/rooms/{roomId}/threads}
 *     (<a href="https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidthreads">spec</a>):
 *     the room's thread roots the requester may see, newest activity first, with their
 *     {@code m.thread} bundle; {@code include} {@code all} (default) or {@code participated}
 *     (the requester sent the root or replied in the thread); {@code limit} (default 5, at most
 *     100) and {@code from}.
 * </ul>
 * Only events the requester may see (history visibility) are returned; a room they forgot is
 * 403 {@code M_FORBIDDEN}, as for {@code /messages}.
 */
public final class RelationsEndpoints implements Routes {
    static final int MAX_DEPTH = 3;
    private static final int MAX_LIMIT = 1000;
    private static final int MAX_THREADS = 100;
    private final Database database;
    private final EventRelationRepository relations;
    private final RoomReader reader;
    private final HistoryVisibility visibility;
    private final ClientEvents clientEvents;
    private final java.util.function.BiPredicate<String, String> forgotten;

    /** @param forgotten whether a user (first) forgot a room (second) */
    public RelationsEndpoints(Database database, EventRelationRepository relations, RoomReader reader, HistoryVisibility visibility,
                              ClientEvents clientEvents, java.util.function.BiPredicate<String, String> forgotten) {
        this.database = database;
        this.relations = relations;
        this.reader = reader;
        this.visibility = visibility;
        this.clientEvents = clientEvents;
        this.forgotten = forgotten;
    }

    @Override
    public List<Endpoint> endpoints() {
        String base = "/_matrix/client/v1/rooms/{roomId}";
        return List.of(
                new Endpoint("GET", base + "/relations/{eventId}", AuthKind.USER_OR_GUEST, null, this::relations),
                new Endpoint("GET", base + "/relations/{eventId}/{relType}", AuthKind.USER_OR_GUEST, null, this::relations),
                new Endpoint("GET", base + "/relations/{eventId}/{relType}/{eventType}", AuthKind.USER_OR_GUEST, null, this::relations),
                new Endpoint("GET", base + "/threads", AuthKind.USER_OR_GUEST, null, this::threads));
    }

    private record Reading(Requester requester, String roomId, boolean joined) {}

    private Reading reading(ApiRequest request) {
        Requester requester = request.requester();
        String roomId = RoomEndpoints.roomId(request);
        if (forgotten.test(requester.userId(), roomId)) throw MatrixException.forbidden("You have forgotten this room");
        return new Reading(requester, roomId, reader.access(roomId, requester.userId()).joined());
    }

    private ApiResponse relations(ApiRequest request) {
        Reading reading = reading(request);
        String eventId = request.path("eventId");
        PersistedEvent parent = reader.event(eventId).filter(e -> e.roomId().equals(reading.roomId()))
                .filter(e -> visibility.visible(e, reading.requester().userId(), reading.joined()))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        String relType = request.pathOptional("relType").orElse(null);
        String eventType = request.pathOptional("eventType").orElse(null);
        String dir = request.query("dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) throw MatrixException.invalidParam("dir must be b or f");
        boolean backwards = dir.equals("b");
        int limit = Math.min(QueryParams.atLeast(request, "limit", 1, 5), MAX_LIMIT);
        boolean recurse = QueryParams.bool(request, "recurse")
                .orElseGet(() -> QueryParams.bool(request, "org.matrix.msc3981.recurse", false));
        Long from = request.query("from").map(MessagesEndpoints::parseToken).orElse(null);
        Long to = request.query("to").map(MessagesEndpoints::parseToken).orElse(null);
        // Tokens are boundaries just after an event: backwards reads at or below "from" and above "to", forwards the reverse.
        long after = backwards ? (to == null ? Long.MIN_VALUE : to) : (from == null ? Long.MIN_VALUE : from);
        long before = backwards ? (from == null ? Long.MAX_VALUE : from + 1) : (to == null ? Long.MAX_VALUE : to + 1);
        List<String> parents = recurse ? descendantsAndSelf(parent) : List.of(parent.eventId());
        List<EventRelationsRecord> page = relations.page(database.dsl(), reading.roomId(), parents, relType, eventType, after, before,
                backwards, limit);
        Map<String, PersistedEvent> byId = new HashMap<>();
        reader.events(page.stream().map(EventRelationsRecord::getEventId).toList()).forEach(e -> byId.put(e.eventId(), e));
        ObjectNode body = Json.object();
        ArrayNode chunk = body.putArray("chunk");
        for (EventRelationsRecord row : page) {
            PersistedEvent event = byId.get(row.getEventId());
            if (event == null || !visibility.visible(event, reading.requester().userId(), reading.joined())) continue;
            chunk.add(clientEvents.render(event, reading.requester()));
        }
        if (page.size() == limit) {
            long last = page.get(page.size() - 1).getStreamOrdering();
            body.put("next_batch", "s" + (backwards ? last - 1 : last));
        }
        request.query("from").ifPresent(token -> body.put("prev_batch", token));
        if (recurse) body.put("recursion_depth", MAX_DEPTH);
        return ApiResponse.ok(body);
    }

    /** The event and the events relating to it, {@value #MAX_DEPTH} - 1 levels down: the parents whose relations a recursive read returns. */
    private List<String> descendantsAndSelf(PersistedEvent root) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(List.of(root.eventId()));
        List<String> level = List.of(root.eventId());
        for (int depth = 1; depth < MAX_DEPTH && !level.isEmpty(); depth++) {
            level = relations.page(database.dsl(), root.roomId(), level, null, null, Long.MIN_VALUE, Long.MAX_VALUE, false, 100_000)
                    .stream().map(EventRelationsRecord::getEventId).filter(all::add).toList();
        }
        return List.copyOf(all);
    }

    private ApiResponse threads(ApiRequest request) {
        Reading reading = reading(request);
        String include = request.query("include").orElse("all");
        if (!include.equals("all") && !include.equals("participated")) throw MatrixException.invalidParam("include must be all or participated");
        int limit = Math.min(QueryParams.atLeast(request, "limit", 1, 5), MAX_THREADS);
        long before = request.query("from").map(RelationsEndpoints::threadToken).orElse(Long.MAX_VALUE);
        String participant = include.equals("participated") ? reading.requester().userId() : null;
        List<EventRelationRepository.Thread> threads = relations.threads(database.dsl(), reading.roomId(), before, participant, limit);
        Map<String, PersistedEvent> roots = new HashMap<>();
        reader.events(threads.stream().map(EventRelationRepository.Thread::rootId).toList()).forEach(e -> roots.put(e.eventId(), e));
        ObjectNode body = Json.object();
        ArrayNode chunk = body.putArray("chunk");
        for (EventRelationRepository.Thread thread : threads) {
            PersistedEvent root = roots.get(thread.rootId());
            if (root == null || !root.roomId().equals(reading.roomId()) || root.streamOrdering() == 0) continue;
            if (RelatesTo.of(root.pdu()).isPresent() && root.redactedBy() == null) continue; // an event with a relation cannot start a thread
            if (!visibility.visible(root, reading.requester().userId(), reading.joined())) continue;
            chunk.add(clientEvents.render(root, reading.requester()));
        }
        if (threads.size() == limit) body.put("next_batch", "t" + threads.get(threads.size() - 1).latestOrdering());
        return ApiResponse.ok(body);
    }

    private static long threadToken(String token) {
        try {
            if (!token.startsWith("t")) throw new NumberFormatException();
            return Long.parseLong(token.substring(1));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Invalid pagination token");
        }
    }
}
