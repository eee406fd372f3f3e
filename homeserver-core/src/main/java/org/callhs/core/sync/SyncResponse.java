package org.callhs.core.sync;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.callhs.core.auth.Requester;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.SyncContext;
import org.callhs.core.util.Json;

/**
 * A {@code /sync} response under construction. Sections are created on first use, so empty
 * ones never appear; {@link #hasNews} tells a long-poll whether to answer or keep waiting.
 */
final class SyncResponse implements SyncContext {
    private final SyncRequest request;
    private final Set<String> joinedRooms;
    private final Set<String> newlyJoinedRooms;
    private final BiFunction<PersistedEvent, Requester, ObjectNode> renderer;
    private final Map<String, Long> membershipPositions;
    private final long sinceEvents;
    private final Set<String> ignoredUsers;
    private final Function<List<String>, List<PersistedEvent>> eventsById;
    private final Map<String, Long> carriedOut = new TreeMap<>();
    private final ObjectNode body = Json.object();
    private final Map<String, Set<String>> timelineIds = new HashMap<>();
    private boolean news;
    private boolean ownMembershipChanged;

    SyncResponse(SyncRequest request, Set<String> joinedRooms, Set<String> newlyJoinedRooms, Map<String, Long> membershipPositions,
                 long sinceEvents, Set<String> ignoredUsers, BiFunction<PersistedEvent, Requester, ObjectNode> renderer,
                 Function<List<String>, List<PersistedEvent>> eventsById) {
        this.eventsById = eventsById;
        this.request = request;
        this.joinedRooms = joinedRooms;
        this.newlyJoinedRooms = newlyJoinedRooms;
        this.membershipPositions = membershipPositions;
        this.sinceEvents = sinceEvents;
        this.ignoredUsers = ignoredUsers;
        this.renderer = renderer;
    }

    @Override public Requester requester() { return request.requester(); }
    @Override public boolean initial() { return request.since() == null || request.fullState(); }
    @Override public Set<String> joinedRooms() { return joinedRooms; }
    @Override public Set<String> newlyJoinedRooms() { return newlyJoinedRooms; }

    @Override
    public long membershipPosition(String roomId) {
        Long position = membershipPositions.get(roomId);
        if (position == null || !joinedRooms.contains(roomId)) throw new IllegalArgumentException("Not a joined room: " + roomId);
        return position;
    }

    @Override public long sinceEventsPosition() { return sinceEvents; }

    @Override
    public OptionalLong carried(String name) {
        if (initial() || !request.since().positions().containsKey(name)) return OptionalLong.empty();
        return OptionalLong.of(request.since().position(name));
    }

    @Override
    public void carry(String name, long value) {
        if (!SyncToken.validName(name) || value < 0) throw new IllegalArgumentException("Bad carried value " + name + "=" + value);
        carriedOut.put(name, value);
    }

    /** What streams {@linkplain #carry carried} into the next token. */
    Map<String, Long> carriedOut() {
        return carriedOut;
    }

    @Override public Set<String> ignoredUsers() { return ignoredUsers; }

    @Override public List<PersistedEvent> events(List<String> eventIds) { return eventsById.apply(eventIds); }

    @Override
    public Set<String> timelineEventIds(String roomId) {
        return timelineIds.getOrDefault(roomId, Set.of());
    }

    void recordTimeline(String roomId, Iterable<PersistedEvent> events) {
        Set<String> ids = timelineIds.computeIfAbsent(roomId, r -> new LinkedHashSet<>());
        events.forEach(e -> ids.add(e.eventId()));
    }

    @Override
    public ObjectNode joinedRoomSection(String roomId) {
        return roomSection("join", roomId);
    }

    /** The room's object under {@code rooms.<kind>}, created when absent. */
    ObjectNode roomSection(String kind, String roomId) {
        news = true;
        ObjectNode byRoom = child(child(body, "rooms"), kind);
        return child(byRoom, roomId);
    }

    /**
     * Client format by default; with {@code event_format: federation} the PDU as stored and
     * signed (no {@code event_id} in room versions 3 and later, as over federation).
     */
    @Override
    public ObjectNode render(PersistedEvent event) {
        ObjectNode rendered = request.filter().federationFormat() ? event.pdu().deepCopy() : renderer.apply(event, request.requester());
        return request.filter().applyEventFields(rendered);
    }

    /** The {@code events} array of a top-level section ({@code account_data}, {@code presence}, {@code to_device}). */
    ArrayNode topLevelEvents(String section) {
        news = true;
        ObjectNode node = child(body, section);
        return node.get("events") instanceof ArrayNode a ? a : node.putArray("events");
    }

    /** A top-level field that is not news by itself (key counts). */
    ObjectNode body() {
        return body;
    }

    void markOwnMembershipChanged() {
        ownMembershipChanged = true;
    }

    /** Whether one of the user's own member events is newer than the token. */
    boolean ownMembershipChanged() {
        return ownMembershipChanged;
    }

    void markNews() {
        news = true;
    }

    boolean hasNews() {
        return news;
    }

    static ObjectNode child(ObjectNode parent, String name) {
        return parent.get(name) instanceof ObjectNode existing ? existing : parent.putObject(name);
    }

    static ArrayNode events(ObjectNode parent, String section) {
        ObjectNode node = child(parent, section);
        return node.get("events") instanceof ArrayNode a ? a : node.putArray("events");
    }
}
