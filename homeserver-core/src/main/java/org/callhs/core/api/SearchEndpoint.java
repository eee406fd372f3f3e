package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.EventSearchRepository;
import org.callhs.core.util.Json;

/**
 * {@code POST /search}
 * (<a href="https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3search">spec</a>),
 * category {@code room_events}: full-text search of {@code content.body}, {@code content.name}
 * and {@code content.topic} (all three unless {@code keys} narrows them) through the database's
 * own index (PostgreSQL {@code tsvector}, SQLite FTS5; every word must match, stemmed), in the
 * rooms the requester is joined to that the {@code filter} lets through (and the rooms those
 * replaced through upgrades), history visibility applied, redacted
 * events never found. {@code order_by} {@code rank} (default) or {@code recent};
 * {@code event_context} ({@code before_limit}, {@code after_limit}, default 5, and
 * {@code include_profile}); {@code include_state}; {@code groupings} by {@code room_id} or
 * {@code sender}; {@code next_batch} pages (10 results a page unless the filter's limit says
 * otherwise, at most 100).
 */
public final class SearchEndpoint implements Routes {
    private static final Set<String> KEYS = Set.of("content.body", "content.name", "content.topic");
    private static final int DEFAULT_LIMIT = 10;
    private static final int MAX_LIMIT = 100;
    private static final int MAX_CONTEXT = 100;
    private final Database database;
    private final EventSearchRepository search;
    private final RoomReader reader;
    private final HistoryVisibility visibility;
    private final ClientEvents clientEvents;
    private final java.util.function.Function<String, List<String>> predecessors;

    /** @param predecessors the rooms an upgraded room replaced, newest first (empty for a room that was never upgraded) */
    public SearchEndpoint(Database database, EventSearchRepository search, RoomReader reader, HistoryVisibility visibility,
                          ClientEvents clientEvents, java.util.function.Function<String, List<String>> predecessors) {
        this.database = database;
        this.search = search;
        this.reader = reader;
        this.visibility = visibility;
        this.clientEvents = clientEvents;
        this.predecessors = predecessors;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/search", AuthKind.USER, null, this::search);
    }

    private record Query(List<String> words, Set<String> keys, RoomEventFilter filter, boolean byRank, int beforeLimit, int afterLimit,
                         boolean includeProfile, boolean includeState, Set<String> groupBy) {}

    private ApiResponse search(ApiRequest request) {
        ObjectNode body = request.requiredJsonObject();
        ObjectNode categories = Bodies.optionalObject(body, "search_categories");
        if (categories == null) throw MatrixException.badJson("search_categories is required");
        ObjectNode out = Json.object();
        ObjectNode results = out.putObject("search_categories");
        ObjectNode roomEvents = Bodies.optionalObject(categories, "room_events");
        if (roomEvents != null) {
            results.set("room_events", roomEvents(request.requester(), parse(roomEvents), request.query("next_batch").orElse(null)));
        }
        return ApiResponse.ok(out);
    }

    private static Query parse(ObjectNode criteria) {
        String term = Bodies.optionalString(criteria, "search_term");
        if (term == null) throw MatrixException.badJson("search_term is required");
        Set<String> keys = new LinkedHashSet<>();
        JsonNode keysNode = criteria.get("keys");
        if (keysNode == null || keysNode.isNull()) {
            keys.addAll(KEYS);
        } else {
            if (!keysNode.isArray()) throw MatrixException.badJson("keys must be an array of strings");
            for (JsonNode key : keysNode) {
                if (!key.isTextual()) throw MatrixException.badJson("keys must be an array of strings");
                if (!KEYS.contains(key.textValue())) throw MatrixException.invalidParam("Unknown search key " + key.textValue());
                keys.add(key.textValue());
            }
        }
        ObjectNode filterNode = Bodies.optionalObject(criteria, "filter");
        if (filterNode != null) FilterValidator.validateRoomEventFilter(filterNode, "filter");
        String orderBy = Bodies.optionalString(criteria, "order_by");
        if (orderBy != null && !orderBy.equals("rank") && !orderBy.equals("recent")) {
            throw MatrixException.invalidParam("order_by must be rank or recent");
        }
        ObjectNode context = Bodies.optionalObject(criteria, "event_context");
        int beforeLimit = context == null ? 0 : count(context, "before_limit");
        int afterLimit = context == null ? 0 : count(context, "after_limit");
        boolean includeProfile = context != null && Bodies.optionalBoolean(context, "include_profile", false);
        Set<String> groupBy = new LinkedHashSet<>();
        ObjectNode groupings = Bodies.optionalObject(criteria, "groupings");
        if (groupings != null && groupings.get("group_by") != null) {
            if (!groupings.get("group_by").isArray()) throw MatrixException.badJson("groupings.group_by must be an array");
            for (JsonNode group : groupings.get("group_by")) {
                String key = group.path("key").textValue();
                if (key == null || !(key.equals("room_id") || key.equals("sender"))) {
                    throw MatrixException.invalidParam("groupings.group_by keys must be room_id or sender");
                }
                groupBy.add(key);
            }
        }
        return new Query(words(term), keys, RoomEventFilter.of(filterNode), !"recent".equals(orderBy), beforeLimit, afterLimit,
                includeProfile, Bodies.optionalBoolean(criteria, "include_state", false), groupBy);
    }

    private static int count(ObjectNode context, String field) {
        JsonNode node = context.get(field);
        if (node == null || node.isNull()) return 5;
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            throw MatrixException.badJson("event_context." + field + " must be a non-negative integer");
        }
        return Math.min(node.intValue(), MAX_CONTEXT);
    }

    /** The search term's words, lower-cased: runs of letters and digits. */
    static List<String> words(String term) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        term.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c)) {
                word.appendCodePoint(c);
            } else if (!word.isEmpty()) {
                words.add(word.toString().toLowerCase(Locale.ROOT));
                word.setLength(0);
            }
        });
        if (!word.isEmpty()) words.add(word.toString().toLowerCase(Locale.ROOT));
        return words.stream().distinct().limit(32).toList();
    }

    private ObjectNode roomEvents(Requester requester, Query query, String nextBatch) {
        String userId = requester.userId();
        Set<String> joinedRooms = Set.copyOf(reader.joinedRooms(userId));
        List<String> rooms = new ArrayList<>();
        for (String roomId : joinedRooms) {
            if (!query.filter().matchesRoom(roomId)) continue;
            rooms.add(roomId);
            for (String older : predecessors.apply(roomId)) if (!rooms.contains(older)) rooms.add(older);
        }
        int limit = Math.min(query.filter().limit() == null ? DEFAULT_LIMIT : Math.max(query.filter().limit(), 1), MAX_LIMIT);
        Long before = null;
        int offset = 0;
        if (nextBatch != null) {
            try {
                if (query.byRank() && nextBatch.startsWith("r")) offset = Integer.parseInt(nextBatch.substring(1));
                else if (!query.byRank() && nextBatch.startsWith("s")) before = Long.parseLong(nextBatch.substring(1));
                else throw new NumberFormatException();
                if (offset < 0) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Invalid next_batch token");
            }
        }
        var dsl = database.dsl();
        List<EventSearchRepository.Hit> found = new ArrayList<>();
        List<PersistedEvent> events = new ArrayList<>();
        boolean more = true;
        while (events.size() < limit && more) {
            int batch = Math.max(limit * 2, 20);
            List<EventSearchRepository.Hit> page = search.search(dsl, rooms, query.keys(), query.words(), query.byRank(), before, offset, batch);
            more = page.size() == batch;
            Map<String, PersistedEvent> byId = new HashMap<>();
            reader.events(page.stream().map(EventSearchRepository.Hit::eventId).toList()).forEach(e -> byId.put(e.eventId(), e));
            for (EventSearchRepository.Hit hit : page) {
                offset++;
                before = hit.streamOrdering();
                PersistedEvent event = byId.get(hit.eventId());
                if (event == null || event.redactedBy() != null || !query.filter().matches(event)) continue;
                if (!visibility.visible(event, userId, joinedRooms.contains(event.roomId()))) continue;
                found.add(hit);
                events.add(event);
                if (events.size() == limit) {
                    more = more || page.indexOf(hit) < page.size() - 1;
                    break;
                }
            }
        }
        ObjectNode out = Json.object();
        out.put("count", search.count(dsl, rooms, query.keys(), query.words()));
        ArrayNode highlights = out.putArray("highlights");
        query.words().forEach(highlights::add);
        ArrayNode results = out.putArray("results");
        Map<String, Map<String, List<String>>> groups = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            PersistedEvent event = events.get(i);
            ObjectNode result = results.addObject();
            result.put("rank", found.get(i).rank());
            result.set("result", clientEvents.render(event, requester));
            if (query.beforeLimit() > 0 || query.afterLimit() > 0 || query.includeProfile()) {
                result.set("context", context(event, requester, query, joinedRooms.contains(event.roomId())));
            }
            for (String key : query.groupBy()) {
                String value = key.equals("room_id") ? event.roomId() : event.sender();
                groups.computeIfAbsent(key, k -> new LinkedHashMap<>()).computeIfAbsent(value, v -> new ArrayList<>()).add(event.eventId());
            }
        }
        if (more && !events.isEmpty()) out.put("next_batch", query.byRank() ? "r" + offset : "s" + before);
        if (!query.groupBy().isEmpty()) {
            ObjectNode groupsNode = out.putObject("groups");
            for (String key : query.groupBy()) {
                ObjectNode byKey = groupsNode.putObject(key);
                int order = 1;
                for (Map.Entry<String, List<String>> group : groups.getOrDefault(key, Map.of()).entrySet()) {
                    ObjectNode node = byKey.putObject(group.getKey());
                    node.put("order", order++);
                    ArrayNode ids = node.putArray("results");
                    group.getValue().forEach(ids::add);
                }
            }
        }
        if (query.includeState()) {
            ObjectNode state = out.putObject("state");
            for (String roomId : events.stream().map(PersistedEvent::roomId).distinct().toList()) {
                if (!joinedRooms.contains(roomId)) continue;
                ArrayNode list = state.putArray(roomId);
                reader.events(List.copyOf(reader.currentState(roomId).values())).forEach(e -> list.add(clientEvents.render(e, requester)));
            }
        }
        return out;
    }

    private ObjectNode context(PersistedEvent event, Requester requester, Query query, boolean joined) {
        HistoryVisibility.Around around = visibility.around(event, requester.userId(), joined, null, query.beforeLimit(),
                query.afterLimit());
        List<PersistedEvent> earlier = around.earlier();
        List<PersistedEvent> later = around.later();
        ObjectNode context = Json.object();
        ArrayNode beforeArray = context.putArray("events_before");
        earlier.forEach(e -> beforeArray.add(clientEvents.render(e, requester)));
        ArrayNode afterArray = context.putArray("events_after");
        later.forEach(e -> afterArray.add(clientEvents.render(e, requester)));
        context.put("start", around.start());
        context.put("end", around.end());
        if (query.includeProfile()) {
            Set<String> senders = new LinkedHashSet<>();
            senders.add(event.sender());
            earlier.forEach(e -> senders.add(e.sender()));
            later.forEach(e -> senders.add(e.sender()));
            Map<StateKey, String> state = reader.stateAt(event.eventId(), true);
            ObjectNode profiles = context.putObject("profile_info");
            for (String sender : senders) {
                ObjectNode profile = profiles.putObject(sender);
                reader.stateEvent(state, "m.room.member", sender).ifPresent(member -> {
                    JsonNode content = member.pdu().path("content");
                    if (content.path("displayname").isTextual()) profile.put("displayname", content.get("displayname").textValue());
                    if (content.path("avatar_url").isTextual()) profile.put("avatar_url", content.get("avatar_url").textValue());
                });
            }
        }
        return context;
    }
}
