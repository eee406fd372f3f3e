package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomPreview;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.callhs.core.util.Json;

/**
 * {@code GET /_matrix/client/v1/rooms/{roomId}/hierarchy} (spaces): the room and, breadth first,
 * the rooms its {@code m.space.child} events name (those with a non-empty {@code via}), each
 * with its public description ({@link RoomPreview}) and its {@code children_state} (the child
 * events, stripped). Children come in the spec's order: by a valid {@code order} string (at most
 * 50 characters from U+0020 to U+007E; children without one after), then by the child event's
 * {@code origin_server_ts}, then by room ID. A room the requester may not preview (the
 * potential-joiner rule) is left out and not descended into; so is a room this server is not in
 * (other servers are not asked). Query: {@code suggested_only} (only children marked
 * {@code suggested}), {@code max_depth} (0: the room alone; default unlimited),
 * {@code limit} (rooms per page, default and most {@value #MAX_LIMIT}) and {@code from} (the
 * previous page's {@code next_batch}, valid only with the same room, {@code suggested_only} and
 * {@code max_depth}). 403 {@code M_FORBIDDEN} when the requester may not preview the room itself
 * or it is unknown here; 400 {@code M_INVALID_PARAM} for bad parameters.
 * Spec: <a href="https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1roomsroomidhierarchy">Spaces</a>.
 */
public final class HierarchyEndpoint implements Routes {
    static final int MAX_LIMIT = 50;
    /** Most rooms one walk visits: a space cannot make a request walk without end. */
    static final int MAX_ROOMS = 5_000;

    private final RoomReader reader;
    private final RoomPreview preview;

    public HierarchyEndpoint(RoomReader reader, RoomPreview preview) {
        this.reader = reader;
        this.preview = preview;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_V1, "GET", "/rooms/{roomId}/hierarchy", AuthKind.USER_OR_GUEST, null, this::hierarchy);
    }

    private ApiResponse hierarchy(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String userId = request.requester().userId();
        boolean suggestedOnly = QueryParams.bool(request, "suggested_only", false);
        int maxDepth = QueryParams.atLeast(request, "max_depth", 0, Integer.MAX_VALUE);
        int limit = Math.min(QueryParams.atLeast(request, "limit", 1, MAX_LIMIT), MAX_LIMIT);
        String fingerprint = Integer.toHexString((roomId + "|" + suggestedOnly + "|" + maxDepth).hashCode());
        int offset = request.query("from").map(from -> offset(from, fingerprint)).orElse(0);

        RoomsRecord root = reader.room(roomId).orElse(null);
        if (root == null || preview.preview(root, userId).isEmpty()) {
            throw MatrixException.forbidden("You may not view this room's hierarchy");
        }
        List<ObjectNode> rooms = walk(roomId, userId, suggestedOnly, maxDepth);
        if (offset > rooms.size()) throw MatrixException.invalidParam("from is past the end of the hierarchy");
        ObjectNode out = Json.object();
        ArrayNode page = out.putArray("rooms");
        rooms.subList(offset, Math.min(rooms.size(), offset + limit)).forEach(page::add);
        if (offset + limit < rooms.size()) out.put("next_batch", (offset + limit) + "_" + fingerprint);
        return ApiResponse.ok(out);
    }

    private record Child(String roomId, String order, long ts) {}

    private List<ObjectNode> walk(String rootId, String userId, boolean suggestedOnly, int maxDepth) {
        List<ObjectNode> out = new ArrayList<>();
        Set<String> seen = new HashSet<>(Set.of(rootId));
        Deque<Map.Entry<String, Integer>> queue = new ArrayDeque<>(List.of(Map.entry(rootId, 0)));
        while (!queue.isEmpty() && seen.size() <= MAX_ROOMS) {
            Map.Entry<String, Integer> next = queue.poll();
            Optional<RoomsRecord> room = reader.room(next.getKey());
            Optional<ObjectNode> chunk = room.flatMap(r -> preview.preview(r, userId));
            if (chunk.isEmpty()) continue;
            Map<StateKey, String> state = reader.currentState(next.getKey());
            List<PersistedEvent> children = new ArrayList<>();
            for (StateKey key : state.keySet()) {
                if (!key.type().equals("m.space.child")) continue;
                reader.stateEvent(state, key.type(), key.stateKey()).filter(e -> isChild(e, suggestedOnly)).ifPresent(children::add);
            }
            children.sort(Comparator.comparing((PersistedEvent e) -> child(e), CHILD_ORDER));
            ArrayNode childrenState = chunk.get().putArray("children_state");
            for (PersistedEvent e : children) {
                ObjectNode stripped = childrenState.addObject().put("type", "m.space.child").put("state_key", e.stateKey());
                stripped.set("content", e.pdu().path("content").deepCopy());
                stripped.put("sender", e.sender()).put("origin_server_ts", e.originServerTs());
                if (next.getValue() < maxDepth && seen.add(e.stateKey())) queue.add(Map.entry(e.stateKey(), next.getValue() + 1));
            }
            out.add(chunk.get());
        }
        return out;
    }

    /** A child event that counts: {@code via} a non-empty list (an empty content removes the child), suggested if asked. */
    private static boolean isChild(PersistedEvent e, boolean suggestedOnly) {
        JsonNode content = e.pdu().path("content");
        if (!content.path("via").isArray() || content.path("via").isEmpty()) return false;
        return !suggestedOnly || content.path("suggested").asBoolean(false);
    }

    private static Child child(PersistedEvent e) {
        JsonNode order = e.pdu().path("content").path("order");
        String valid = order.isTextual() && order.textValue().length() <= 50
                && order.textValue().chars().allMatch(c -> c >= 0x20 && c <= 0x7E) ? order.textValue() : null;
        return new Child(e.stateKey(), valid, e.originServerTs());
    }

    private static final Comparator<Child> CHILD_ORDER = Comparator
            .comparing(Child::order, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparingLong(Child::ts)
            .thenComparing(Child::roomId);

    private static int offset(String from, String fingerprint) {
        int underscore = from.indexOf('_');
        if (underscore < 1 || !from.substring(underscore + 1).equals(fingerprint)) {
            throw MatrixException.invalidParam("from does not belong to this request");
        }
        try {
            return Integer.parseInt(from.substring(0, underscore));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("from does not belong to this request");
        }
    }
}
