package org.callhs.core.room.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.util.Json;

/**
 * A room DAG written by hand for state resolution tests. Each event names its prev events;
 * the state before it is the resolution of its prev events' states after (by the code under
 * test), its {@code auth_events} are chosen from that state by the selection rules, and its
 * {@code origin_server_ts} grows by one per event added. Events carry their ID as
 * {@code event_id} (test IDs are not hashes), and state after each event is kept for
 * {@link #resolveAt}.
 */
final class TestDag implements EventSource {
    final RoomVersion version;
    final String roomId;
    private final Map<String, ResolvableEvent> events = new LinkedHashMap<>();
    private final Map<String, Map<StateKey, String>> stateAfter = new HashMap<>();
    private long clock = 1000;

    TestDag(RoomVersion version) {
        this.version = version;
        this.roomId = version.roomIdIsCreateEventHash() ? "!CREATE" : "!room:example.com";
    }

    /** The event ID a short name gets ({@code "$" + name}; the v12 create event's is the room ID's hash part). */
    String id(String name) {
        return "$" + name;
    }

    @Override
    public Optional<ResolvableEvent> event(String eventId) {
        return Optional.ofNullable(events.get(eventId));
    }

    /** Adds a state event; {@code prevs} are short names. */
    TestDag state(String name, String type, String stateKey, String sender, String content, String... prevs) {
        return add(name, type, stateKey, sender, Json.parse(content), List.of(prevs), null, false);
    }

    /** Adds a state event with explicit auth events (short names) instead of the selected ones. */
    TestDag stateWithAuth(String name, String type, String stateKey, String sender, String content, List<String> auth,
                          String... prevs) {
        return add(name, type, stateKey, sender, Json.parse(content), List.of(prevs), auth, false);
    }

    /** Adds a state event that this server rejected: stored, never applied, never an auth event in checks. */
    TestDag rejected(String name, String type, String stateKey, String sender, String content, String... prevs) {
        return add(name, type, stateKey, sender, Json.parse(content), List.of(prevs), null, true);
    }

    /** Adds a message event (it changes no state; it merges its prev events' states). */
    TestDag message(String name, String sender, String... prevs) {
        return add(name, "m.room.message", null, sender, Json.parse("{\"body\": \"" + name + "\"}"), List.of(prevs), null, false);
    }

    TestDag member(String name, String user, String membership, String... prevs) {
        return state(name, StateKey.MEMBER_TYPE, user, user, "{\"membership\": \"" + membership + "\"}", prevs);
    }

    private TestDag add(String name, String type, String stateKey, String sender, JsonNode content, List<String> prevs,
                        List<String> explicitAuth, boolean rejected) {
        String eventId = id(name);
        ObjectNode pdu = Json.object();
        pdu.put("event_id", eventId);
        pdu.put("type", type);
        boolean create = type.equals(StateKey.CREATE_TYPE);
        if (!(create && version.roomIdIsCreateEventHash())) pdu.put("room_id", roomId);
        pdu.put("sender", sender);
        pdu.set("content", content);
        if (stateKey != null) pdu.put("state_key", stateKey);
        pdu.put("origin_server_ts", clock++);
        ArrayNode prevArray = pdu.putArray("prev_events");
        List<Map<StateKey, String>> prevStates = new ArrayList<>();
        for (String prev : prevs) {
            prevArray.add(id(prev));
            prevStates.add(stateAfter.get(id(prev)));
        }
        Map<StateKey, String> before = new HashMap<>(StateResolution.resolve(version, prevStates, this));
        ArrayNode auth = pdu.putArray("auth_events");
        if (explicitAuth != null) {
            for (String a : explicitAuth) auth.add(id(a));
        } else if (!create) {
            for (StateKey key : AuthRules.authEventKeys(type, sender, stateKey, content, version)) {
                String holder = before.get(key);
                if (holder != null) auth.add(holder);
            }
        }
        pdu.put("depth", prevs.size());
        events.put(eventId, new ResolvableEvent(eventId, pdu, rejected));
        if (stateKey != null && !rejected) before.put(StateKey.of(type, stateKey), eventId);
        stateAfter.put(eventId, before);
        return this;
    }

    /** The state after the named event. */
    Map<StateKey, String> stateAfter(String name) {
        return stateAfter.get(id(name));
    }

    /** The resolution of the states after the named events. */
    Map<StateKey, String> resolveAt(String... names) {
        List<Map<StateKey, String>> sets = new ArrayList<>();
        for (String name : names) sets.add(stateAfter(name));
        return StateResolution.resolve(version, sets, this);
    }
}
