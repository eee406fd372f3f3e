package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.auth.Requester;
import org.callhs.core.spi.SlidingSyncContext;
import org.callhs.core.spi.SlidingSyncExtension;
import org.callhs.core.spi.SyncContext;
import org.callhs.core.util.Json;

/**
 * The sliding sync extension {@code org.matrix.msc4354.sticky_events} (MSC4354's sliding sync
 * part, now MSC4480): request {@code {"enabled": true, "limit": N, "since": next_batch}},
 * response {@code {"rooms": {roomId: {"events": [...]}}, "next_batch": "sticky_N"}}.
 *
 * <ul>
 * <li>The rooms are the joined ones the request's lists (the whole lists, not only their
 *     ranges) and room subscriptions match. Events come oldest first, at most {@code limit}
 *     (default and most: {@code sticky_events.max_events_per_sync}), each with its TTL in
 *     {@code unsigned}; history visibility does not apply, ignored users' events are left out,
 *     and so are events in this response's timeline of the room.
 * <li>{@code since} is the extension's own position, independent of {@code pos}: without it
 *     every unexpired sticky event is due again. With it, a room joined after {@code since}
 *     still gets its sticky events from before the join (the MSC's MUST that Synapse misses);
 *     when that backlog does not fit, {@code next_batch} carries where it stopped
 *     ({@code sticky_N_J_A}), so clients must treat it as opaque.
 * <li>The key is absent when there is nothing to hand out; it still comes, with empty
 *     {@code rooms}, when the limit was used up by events left out, so that {@code next_batch}
 *     moves past them.
 * </ul>
 */
final class StickySlidingExtension implements SlidingSyncExtension {
    static final String NAME = "org.matrix.msc4354.sticky_events";
    private static final Pattern SINCE = Pattern.compile("sticky_(\\d{1,18})(?:_(\\d{1,18})_(\\d{1,18}))?");

    private record Request(int limit, Long since, long backlogJoin, long backlogAt, boolean backlog) {}

    private final StickyStream stream;
    private final int maxLimit;

    StickySlidingExtension(StickyStream stream, int maxLimit) {
        this.stream = stream;
        this.maxLimit = maxLimit;
    }

    @Override
    public String name() { return NAME; }

    @Override
    public Object parse(JsonNode node) {
        JsonNode enabled = node.path("enabled");
        if (!enabled.isMissingNode() && !enabled.isNull() && !enabled.isBoolean()) {
            throw MatrixException.badJson("extensions." + NAME + ".enabled must be a boolean");
        }
        if (!enabled.asBoolean(false)) return null;
        int limit = maxLimit;
        JsonNode limitNode = node.path("limit");
        if (!limitNode.isMissingNode() && !limitNode.isNull()) {
            if (!limitNode.isIntegralNumber() || !limitNode.canConvertToInt() || limitNode.intValue() < 0) {
                throw MatrixException.badJson("extensions." + NAME + ".limit must be a non-negative integer");
            }
            limit = Math.min(limitNode.intValue(), maxLimit);
        }
        JsonNode sinceNode = node.path("since");
        if (sinceNode.isMissingNode() || sinceNode.isNull()) return new Request(limit, null, 0, 0, false);
        Matcher m = sinceNode.isTextual() ? SINCE.matcher(sinceNode.textValue()) : null;
        if (m == null || !m.matches()) {
            throw MatrixException.invalidParam("extensions." + NAME + ".since must be a next_batch of this extension");
        }
        boolean backlog = m.group(2) != null;
        return new Request(limit, Long.parseLong(m.group(1)), backlog ? Long.parseLong(m.group(2)) : 0,
                backlog ? Long.parseLong(m.group(3)) : 0, backlog);
    }

    @Override
    public ObjectNode respond(SlidingSyncContext context, Object parsed) {
        Request request = (Request) parsed;
        if (request.limit() == 0) return null;
        // Sticky positions are event stream orderings, so the response's events position bounds the
        // scan too, and a since at or past a user's join tells that the room's backlog was handed out.
        long upTo = Math.max(stream.currentPosition(), context.eventsPosition());
        long since = request.since() == null ? 0 : Math.min(request.since(), upTo);
        Adapter adapter = new Adapter(context, request, since);
        ObjectNode rooms = Json.object();
        long next = stream.deliver(adapter, since, upTo, request.limit(), roomId -> {
            ObjectNode room = rooms.get(roomId) instanceof ObjectNode existing ? existing : rooms.putObject(roomId);
            return room.get("events") instanceof ArrayNode a ? a : room.putArray("events");
        });
        boolean stoppedEarly = next < upTo || !adapter.carried.isEmpty();
        if (rooms.isEmpty() && !stoppedEarly) return null;
        ObjectNode out = Json.object();
        out.set("rooms", rooms);
        String token = "sticky_" + next;
        if (adapter.carried.containsKey(StickyStream.BACKLOG_JOIN)) {
            token += "_" + adapter.carried.get(StickyStream.BACKLOG_JOIN) + "_" + adapter.carried.getOrDefault(StickyStream.BACKLOG_AT, 0L);
        }
        out.put("next_batch", token);
        return out;
    }

    /** The sliding sync response as {@link StickyStream} reads a {@code /sync} one. */
    private static final class Adapter implements SyncContext {
        private final SlidingSyncContext context;
        private final Request request;
        private final long since;
        final Map<String, Long> carried = new HashMap<>();

        Adapter(SlidingSyncContext context, Request request, long since) {
            this.context = context;
            this.request = request;
            this.since = since;
        }

        @Override public Requester requester() { return context.requester(); }
        @Override public boolean initial() { return request.since() == null; }
        @Override public Set<String> joinedRooms() { return context.joinedRooms(); }
        @Override public Set<String> newlyJoinedRooms() {
            Set<String> out = new HashSet<>();
            for (String roomId : context.joinedRooms()) if (initial() || context.membershipPosition(roomId) > since) out.add(roomId);
            return out;
        }
        @Override public long membershipPosition(String roomId) { return context.membershipPosition(roomId); }
        @Override public long sinceEventsPosition() { return since; }
        @Override public OptionalLong carried(String name) {
            if (!request.backlog()) return OptionalLong.empty();
            if (name.equals(StickyStream.BACKLOG_JOIN)) return OptionalLong.of(request.backlogJoin());
            if (name.equals(StickyStream.BACKLOG_AT)) return OptionalLong.of(request.backlogAt());
            return OptionalLong.empty();
        }
        @Override public void carry(String name, long value) { carried.put(name, value); }
        @Override public Set<String> ignoredUsers() { return context.ignoredUsers(); }
        @Override public Set<String> timelineEventIds(String roomId) { return context.timelineEventIds(roomId); }
        @Override public ObjectNode joinedRoomSection(String roomId) {
            throw new IllegalStateException("sliding sync has no /sync room sections");
        }
        @Override public List<PersistedEvent> events(List<String> eventIds) { return context.events(eventIds); }
        @Override public ObjectNode render(PersistedEvent event) { return context.render(event); }
    }
}
