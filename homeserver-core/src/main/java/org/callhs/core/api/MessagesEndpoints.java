package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomEventFilter;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Reading room history.
 *
 * <ul>
 * <li>{@code GET /rooms/{roomId}/messages}: {@code dir} b or f, {@code from} / {@code to}
 *     tokens, {@code limit} (default 10, at most 1000), a {@code RoomEventFilter} in
 *     {@code filter} (with Synapse's {@code related_by_rel_types} / {@code related_by_senders});
 *     with {@code lazy_load_members} the senders' member events come in
 *     {@code state}. Tokens are {@code s<stream position>}: the boundary just after that event.
 * <li>{@code GET /rooms/{roomId}/context/{eventId}}: the event, up to {@code limit} events
 *     either side, tokens, and the state at the event.
 * </ul>
 * Only events the caller may see (history visibility) are returned; a room the caller forgot is
 * 403 {@code M_FORBIDDEN} (as Synapse: forgetting gives up access to the history).
 */
public final class MessagesEndpoints implements Routes {
    private static final int MAX_LIMIT = 1000;
    private final RoomReader reader;
    private final HistoryVisibility visibility;
    private final ClientEvents clientEvents;

    private final java.util.function.BiPredicate<String, String> forgotten;

    /** @param forgotten whether a user (first) forgot a room (second): its history is then refused, as Synapse does */
    /** Fetches older history of a room from other servers; the number of events it added to the timeline. */
    @FunctionalInterface
    public interface Backfill {
        int fetch(String roomId, int limit);
    }

    private final Backfill backfill;

    /** Of some events of a room, those that an event relates to with one of the rel_types, from one of the senders (null: any). */
    @FunctionalInterface
    public interface RelatedEvents {
        Set<String> among(String roomId, List<String> eventIds, List<String> relTypes, List<String> senders);
    }

    private final RelatedEvents related;

    public MessagesEndpoints(RoomReader reader, HistoryVisibility visibility, ClientEvents clientEvents,
                             java.util.function.BiPredicate<String, String> forgotten, Backfill backfill, RelatedEvents related) {
        this.related = related;
        this.backfill = backfill;
        this.forgotten = forgotten;
        this.reader = reader;
        this.visibility = visibility;
        this.clientEvents = clientEvents;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/messages", AuthKind.USER_OR_GUEST, null, this::messages));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/context/{eventId}", AuthKind.USER_OR_GUEST, null,
                this::context));
        list.add(new Endpoint("GET", "/_matrix/client/v1/rooms/{roomId}/timestamp_to_event", AuthKind.USER_OR_GUEST, null,
                this::timestampToEvent));
        return list;
    }

    /** A pagination token ({@code s<position>}), or a {@code /sync} {@code next_batch} (its events position), as the spec allows. */
    static long parseToken(String token) {
        if (token != null && !token.startsWith("s") && !token.isEmpty()) {
            try {
                org.callhs.core.sync.SyncToken sync = org.callhs.core.sync.SyncToken.parse(token);
                if (!sync.positions().containsKey(org.callhs.core.sync.Streams.EVENTS)) throw MatrixException.invalidParam("Invalid pagination token");
                return sync.position(org.callhs.core.sync.Streams.EVENTS);
            } catch (MatrixException e) {
                throw MatrixException.invalidParam("Invalid pagination token");
            }
        }
        if (token == null || !token.startsWith("s")) throw MatrixException.invalidParam("Invalid pagination token");
        try {
            // Negative positions are history backfilled from other servers (see the room README).
            long value = Long.parseLong(token.substring(1));
            if (value == Long.MIN_VALUE || value == Long.MAX_VALUE) throw MatrixException.invalidParam("Invalid pagination token");
            return value;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Invalid pagination token");
        }
    }

    private static int limit(ApiRequest request, RoomEventFilter filter) {
        int limit = 10;
        if (filter.limit() != null) limit = filter.limit();
        if (request.query("limit").isPresent()) {
            try {
                limit = Integer.parseInt(request.query("limit").get());
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("limit must be an integer");
            }
        }
        if (limit < 0) throw MatrixException.invalidParam("limit must not be negative");
        return Math.min(limit, MAX_LIMIT);
    }

    private static RoomEventFilter filter(ApiRequest request) {
        String text = request.query("filter").orElse(null);
        if (text == null) return RoomEventFilter.of(null);
        JsonNode node;
        try {
            node = Json.parse(text);
        } catch (RuntimeException e) {
            throw MatrixException.invalidParam("filter is not valid JSON");
        }
        if (!node.isObject()) throw MatrixException.invalidParam("filter must be a JSON object");
        return RoomEventFilter.of(node);
    }

    private void refuseForgotten(Requester requester, String roomId) {
        if (forgotten.test(requester.userId(), roomId)) throw MatrixException.forbidden("You have forgotten this room");
    }

    private ApiResponse messages(ApiRequest request) {
        Requester requester = request.requester();
        String roomId = RoomEndpoints.roomId(request);
        refuseForgotten(requester, roomId);
        boolean joined = reader.access(roomId, requester.userId()).joined();
        String dir = request.query("dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) throw MatrixException.invalidParam("dir must be b or f");
        RoomEventFilter filter = filter(request);
        int limit = limit(request, filter);
        long head = reader.room(roomId).map(r -> latestOrdering(roomId)).orElse(0L);
        boolean backwards = dir.equals("b");
        long from = request.query("from").map(MessagesEndpoints::parseToken).orElse(backwards ? head : 0L);
        Long to = request.query("to").map(MessagesEndpoints::parseToken).orElse(null);
        List<PersistedEvent> chunk = new ArrayList<>();
        long cursor = from;
        boolean exhausted = false;
        boolean backfilled = false;
        while (chunk.size() < limit && !exhausted) {
            int batch = Math.max(limit * 2, 20);
            List<PersistedEvent> page = backwards
                    ? reader.backwards(roomId, cursor, to == null ? Long.MIN_VALUE + 1 : to, batch)
                    : reader.forwards(roomId, cursor, to == null ? Long.MAX_VALUE - 1 : to, batch);
            exhausted = page.size() < batch;
            if (exhausted && backwards && to == null && !backfilled && joined) {
                // Past the oldest event held: ask the room's other servers for older history, once per request.
                backfilled = true;
                if (backfill.fetch(roomId, limit - chunk.size()) > 0) exhausted = false;
            }
            Set<String> relatedTo = filter.filtersByRelations() && !page.isEmpty()
                    ? related.among(roomId, page.stream().map(PersistedEvent::eventId).toList(), filter.relatedByRelTypes(),
                            filter.relatedBySenders())
                    : null;
            for (PersistedEvent event : page) {
                cursor = backwards ? event.streamOrdering() - 1 : event.streamOrdering();
                if (relatedTo != null && !relatedTo.contains(event.eventId())) continue;
                if (filter.matches(event) && visibility.visible(event, requester.userId(), joined)) chunk.add(event);
                if (chunk.size() == limit) {
                    exhausted = false;
                    break;
                }
            }
            if (page.isEmpty()) exhausted = true;
        }
        ObjectNode body = Json.object();
        body.put("start", "s" + from);
        // No "end" once there is nothing more to read, as the spec asks.
        if (!exhausted) body.put("end", "s" + cursor);
        ArrayNode events = body.putArray("chunk");
        for (PersistedEvent event : chunk) events.add(clientEvents.render(event, requester));
        if (filter.lazyLoadMembers()) body.set("state", memberState(chunk, requester));
        return ApiResponse.ok(body);
    }

    /**
     * {@code GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event?ts=&dir=}
     * (<a href="https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidtimestamp_to_event">spec</a>):
     * the closest event the user may see at or after ({@code f}) or before ({@code b}) {@code ts};
     * 404 {@code M_NOT_FOUND} when there is none here.
     */
    private ApiResponse timestampToEvent(ApiRequest request) {
        Requester requester = request.requester();
        String roomId = RoomEndpoints.roomId(request);
        String tsText = request.query("ts").orElseThrow(() -> MatrixException.missingParam("ts is required"));
        long ts;
        try {
            ts = Long.parseLong(tsText);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("ts must be an integer");
        }
        String dir = request.query("dir").orElseThrow(() -> MatrixException.missingParam("dir is required"));
        if (!dir.equals("f") && !dir.equals("b")) throw MatrixException.invalidParam("dir must be f or b");
        if (reader.room(roomId).isEmpty()) throw MatrixException.forbidden("You are not in this room");
        boolean joined = reader.access(roomId, requester.userId()).joined();
        PersistedEvent event = reader.closestTo(roomId, ts, dir.equals("f"))
                .filter(e -> visibility.visible(e, requester.userId(), joined))
                .orElseThrow(() -> MatrixException.notFound("No event found " + (dir.equals("f") ? "after" : "before") + " " + ts));
        ObjectNode body = Json.object();
        body.put("event_id", event.eventId());
        body.put("origin_server_ts", event.originServerTs());
        return ApiResponse.ok(body);
    }

    private long latestOrdering(String roomId) {
        List<PersistedEvent> latest = reader.backwards(roomId, Long.MAX_VALUE - 1, 0, 1);
        return latest.isEmpty() ? 0 : latest.get(0).streamOrdering();
    }

    private ArrayNode memberState(List<PersistedEvent> chunk, Requester requester) {
        ArrayNode state = Json.array();
        Set<String> senders = new LinkedHashSet<>();
        chunk.forEach(e -> senders.add(e.sender()));
        if (chunk.isEmpty()) return state;
        Map<StateKey, String> at = reader.stateAt(chunk.get(0).eventId(), true);
        List<String> ids = new ArrayList<>();
        for (String sender : senders) {
            String id = at.get(StateKey.of("m.room.member", sender));
            if (id != null) ids.add(id);
        }
        for (PersistedEvent member : reader.events(ids)) state.add(clientEvents.render(member, requester));
        return state;
    }

    private ApiResponse context(ApiRequest request) {
        Requester requester = request.requester();
        String roomId = RoomEndpoints.roomId(request);
        refuseForgotten(requester, roomId);
        boolean joined = reader.access(roomId, requester.userId()).joined();
        PersistedEvent event = reader.event(request.path("eventId")).filter(e -> e.roomId().equals(roomId))
                .filter(e -> visibility.visible(e, requester.userId(), joined))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        RoomEventFilter filter = filter(request);
        int limit = limit(request, filter);
        HistoryVisibility.Around around = visibility.around(event, requester.userId(), joined, filter, limit / 2, limit - limit / 2);
        ObjectNode body = Json.object();
        body.set("event", clientEvents.render(event, requester));
        ArrayNode beforeArray = body.putArray("events_before");
        around.earlier().forEach(e -> beforeArray.add(clientEvents.render(e, requester)));
        ArrayNode afterArray = body.putArray("events_after");
        around.later().forEach(e -> afterArray.add(clientEvents.render(e, requester)));
        body.put("start", around.start());
        body.put("end", around.end());
        ArrayNode state = body.putArray("state");
        Map<StateKey, String> at = reader.stateAt(event.eventId(), true);
        List<String> ids = filter.lazyLoadMembers()
                ? at.entrySet().stream().filter(e -> !e.getKey().type().equals("m.room.member")).map(Map.Entry::getValue).toList()
                : List.copyOf(at.values());
        reader.events(ids).forEach(e -> state.add(clientEvents.render(e, requester)));
        return ApiResponse.ok(body);
    }
}
