package org.callhs.core.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomEventFilter;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.util.Json;

/**
 * The room part of a {@code /sync} response: which rooms appear under {@code join},
 * {@code invite}, {@code knock} and {@code leave}, and for each its timeline and state.
 *
 * <ul>
 * <li>Timeline: the newest {@code limit} events in {@code (since, end]} that pass the timeline
 *     filter and history visibility, without ignored users' messages (their state events stay); {@code limited} when more were left out; {@code prev_batch}
 *     is a {@code /messages} token just before the first of them.
 * <li>State: for an initial sync, a newly joined room or {@code full_state}, the whole state at
 *     the start of the timeline; otherwise the state entries that changed between the token and
 *     the start of the timeline (the client applies the timeline's own state events itself).
 *     With {@code lazy_load_members} only the members who sent timeline events, and the user.
 * <li>A room counts as newly joined when the user's membership at the token was not
 *     {@code join} (found by walking back the user's member events).
 * </ul>
 */
final class RoomSync {
    private static final Set<StateKey> STRIPPED_STATE = Set.of(StateKey.CREATE, StateKey.JOIN_RULES,
            StateKey.of("m.room.name", ""), StateKey.of("m.room.avatar", ""), StateKey.of("m.room.topic", ""),
            StateKey.of("m.room.canonical_alias", ""), StateKey.of("m.room.encryption", ""));
    private static final int MAX_HEROES = 5;

    private final RoomReader reader;
    private final HistoryVisibility visibility;

    RoomSync(RoomReader reader, HistoryVisibility visibility) {
        this.reader = reader;
        this.visibility = visibility;
    }

    /**
     * A timeline window: events oldest first. {@code complete}: every event of the range is in
     * it (nothing filtered out, hidden or cut off), so the state did not change outside it.
     */
    record Timeline(List<PersistedEvent> events, boolean limited, long prevBatch, boolean complete) {}

    Timeline timeline(String roomId, long after, long end, SyncFilter filter, String userId, boolean joined, Set<String> ignored) {
        int limit = filter.timelineLimit();
        RoomEventFilter eventFilter = filter.timeline();
        List<PersistedEvent> picked = new ArrayList<>();
        boolean more = false;
        boolean skipped = false;
        long cursor = end;
        int batch = Math.max(limit * 2, 20);
        outer:
        while (cursor > after) {
            List<PersistedEvent> page = reader.recentBackwards(roomId, cursor, after, batch);
            for (PersistedEvent event : page) {
                cursor = event.streamOrdering() - 1;
                if (!eventFilter.matches(event) || !visibility.visible(event, userId, joined)
                        || (!event.isState() && ignored.contains(event.sender()))) {
                    skipped = true;
                    continue;
                }
                if (picked.size() == limit || !eventFilter.allowsAny()) {
                    more = true;
                    break outer;
                }
                picked.add(event);
            }
            if (page.size() < batch) break;
        }
        Collections.reverse(picked);
        long prevBatch = picked.isEmpty() ? end : picked.get(0).streamOrdering() - 1;
        return new Timeline(picked, more, prevBatch, !more && !skipped);
    }

    /**
     * The state section's events: everything at the timeline's start ({@code full}), or what
     * changed there since {@code after}.
     */
    List<PersistedEvent> state(String roomId, Timeline timeline, long after, long end, boolean full, SyncFilter filter,
                               String userId) {
        if (!full && timeline.complete() && !filter.state().lazyLoadMembers()) return List.of();
        Map<StateKey, String> atStart = timeline.events().isEmpty()
                ? reader.stateAtPosition(roomId, end)
                : reader.stateGroup(timeline.events().get(0).stateGroupBefore());
        Map<StateKey, String> since = full ? Map.of() : reader.stateAtPosition(roomId, after);
        boolean lazy = filter.state().lazyLoadMembers();
        Set<String> wantedMembers = lazy ? lazyMembers(timeline, full, userId) : Set.of();
        Set<String> inTimeline = eventIds(timeline);
        List<String> ids = new ArrayList<>();
        for (Map.Entry<StateKey, String> entry : atStart.entrySet()) {
            StateKey key = entry.getKey();
            String eventId = entry.getValue();
            if (inTimeline.contains(eventId)) continue;
            boolean member = key.type().equals(StateKey.MEMBER_TYPE);
            boolean changed = !eventId.equals(since.get(key));
            if (lazy && member) {
                if (wantedMembers.contains(key.stateKey())) ids.add(eventId);
            } else if (changed) {
                ids.add(eventId);
            }
        }
        return stateEvents(ids, filter);
    }

    /** With {@code lazy_load_members}: the members whose events a client needs, the timeline's senders (and the user, when {@code full}). */
    private static Set<String> lazyMembers(Timeline timeline, boolean full, String userId) {
        Set<String> members = new HashSet<>();
        timeline.events().forEach(e -> members.add(e.sender()));
        if (full) members.add(userId);
        return members;
    }

    private static Set<String> eventIds(Timeline timeline) {
        Set<String> ids = new HashSet<>();
        timeline.events().forEach(e -> ids.add(e.eventId()));
        return ids;
    }

    /** The events the state filter lets through, in stream order. */
    private List<PersistedEvent> stateEvents(List<String> ids, SyncFilter filter) {
        RoomEventFilter stateFilter = filter.state();
        List<PersistedEvent> events = new ArrayList<>(reader.events(ids).stream().filter(stateFilter::matches).toList());
        events.sort((a, b) -> Long.compare(a.streamOrdering(), b.streamOrdering()));
        return events;
    }

    /**
     * The {@code state_after} section's events (MSC4222): the state at {@code end} (the end of the
     * timeline), all of it ({@code full}) or the entries that changed since {@code after}, whether
     * or not their events are also in the timeline. With {@code lazy_load_members} only the members
     * who sent timeline events (and the user, when {@code full}). A complete timeline holds every
     * change since {@code after}, so then only its events that are still current are looked at.
     */
    List<PersistedEvent> stateAfter(String roomId, Timeline timeline, long after, long end, boolean full, SyncFilter filter,
                                    String userId) {
        boolean lazy = filter.state().lazyLoadMembers();
        Map<StateKey, String> atEnd = reader.stateAtPosition(roomId, end);
        Set<String> inTimeline = eventIds(timeline);
        Set<String> wantedMembers = lazy ? lazyMembers(timeline, full, userId) : Set.of();
        boolean onlyTimeline = !full && timeline.complete();
        Map<StateKey, String> since = full || onlyTimeline ? Map.of() : reader.stateAtPosition(roomId, after);
        List<String> ids = new ArrayList<>();
        for (Map.Entry<StateKey, String> entry : atEnd.entrySet()) {
            StateKey key = entry.getKey();
            String eventId = entry.getValue();
            boolean changed = onlyTimeline ? inTimeline.contains(eventId) : !eventId.equals(since.get(key));
            if (lazy && key.type().equals(StateKey.MEMBER_TYPE)) {
                if (wantedMembers.contains(key.stateKey())) ids.add(eventId);
            } else if (full || changed) {
                ids.add(eventId);
            }
        }
        return stateEvents(ids, filter);
    }

    /**
     * The membership the user had at a stream position, walking back from their current member
     * event through {@code replaces_state}; "leave" when they had none.
     */
    String membershipAt(String currentMemberEventId, long position) {
        String eventId = currentMemberEventId;
        while (eventId != null) {
            PersistedEvent event = reader.event(eventId).orElse(null);
            if (event == null) return "leave";
            if (event.streamOrdering() <= position) return event.pdu().path("content").path("membership").asText("leave");
            eventId = event.replacesState();
        }
        return "leave";
    }

    /** {@code summary}: joined and invited counts, and heroes when the room has no name or alias. */
    ObjectNode summary(String roomId, String userId, Map<StateKey, String> currentState) {
        ObjectNode summary = Json.object();
        List<String> joined = reader.members(roomId, "join");
        List<String> invited = reader.members(roomId, "invite");
        summary.put("m.joined_member_count", joined.size());
        summary.put("m.invited_member_count", invited.size());
        boolean named = hasText(currentState, "m.room.name", "name") || hasText(currentState, "m.room.canonical_alias", "alias");
        if (!named) {
            TreeSet<String> candidates = new TreeSet<>(joined);
            candidates.addAll(invited);
            candidates.remove(userId);
            ArrayNode heroes = summary.putArray("m.heroes");
            candidates.stream().limit(MAX_HEROES).forEach(heroes::add);
        }
        return summary;
    }

    private boolean hasText(Map<StateKey, String> state, String type, String field) {
        return reader.stateEvent(state, type, "").map(e -> !e.pdu().path("content").path(field).asText("").isEmpty()).orElse(false);
    }

    /** Stripped state for an invite or knock: the room's key state at the member event, and the event itself. */
    ArrayNode strippedState(PersistedEvent memberEvent) {
        var remote = reader.remoteInviteState(memberEvent.eventId());
        if (remote.isPresent()) {
            // An invite from another server: the state it sent, stripped, and the invite itself.
            ArrayNode out = Json.array();
            for (JsonNode entry : remote.get()) {
                ObjectNode stripped = Json.object();
                stripped.put("type", entry.path("type").asText());
                stripped.put("state_key", entry.path("state_key").asText(""));
                stripped.put("sender", entry.path("sender").asText());
                stripped.set("content", entry.path("content").isObject() ? entry.get("content").deepCopy() : Json.object());
                if (!(entry.path("type").asText().equals("m.room.member") && entry.path("state_key").asText().equals(memberEvent.stateKey()))) {
                    out.add(stripped);
                }
            }
            out.add(stripped(memberEvent));
            return out;
        }
        Map<StateKey, String> state = reader.stateAt(memberEvent.eventId(), true);
        Map<StateKey, String> wanted = new LinkedHashMap<>();
        state.forEach((key, id) -> { if (STRIPPED_STATE.contains(key)) wanted.put(key, id); });
        ArrayNode out = Json.array();
        for (PersistedEvent event : reader.events(List.copyOf(wanted.values()))) out.add(stripped(event));
        if (!wanted.containsValue(memberEvent.eventId())) out.add(stripped(memberEvent));
        return out;
    }

    private static ObjectNode stripped(PersistedEvent event) {
        ObjectNode out = Json.object();
        JsonNode pdu = event.pdu();
        out.put("type", event.type());
        out.put("state_key", event.stateKey());
        out.put("sender", event.sender());
        out.set("content", pdu.path("content").deepCopy());
        return out;
    }
}
