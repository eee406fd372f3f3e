package org.callhs.core.room.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/**
 * State resolution v2.1 (room version 12, MSC4297) on the two state resets the MSC fixes, as
 * Synapse's v2.1 tests build them (restated): events with explicit auth events, the create
 * event implied by the room ID, timestamps in creation order. Each case is also resolved as v2
 * (room version 11 rules, with the create event listed as an auth event) to show the reset the
 * new rules prevent.
 */
class StateResolutionV21Test {
    static final String A = "@alice:example.com";
    static final String B = "@bob:example.com";
    static final String C = "@charlie:example.com";
    static final String E = "@eve:example.com";
    static final String Z = "@zara:example.com";

    /** Events by ID for one room; {@code $E1} is the create event, so the v12 room is {@code !E1}. */
    static final class Events implements EventSource {
        final RoomVersion version;
        final Map<String, ResolvableEvent> byId = new LinkedHashMap<>();
        long ts = 1;

        Events(RoomVersion version) { this.version = version; }

        Events add(String id, String type, String stateKey, String sender, String content, List<String> prev, List<String> auth) {
            ObjectNode pdu = Json.object();
            pdu.put("event_id", "$" + id);
            pdu.put("type", type);
            boolean create = type.equals(StateKey.CREATE_TYPE);
            if (!(create && version.roomIdIsCreateEventHash())) pdu.put("room_id", version.roomIdIsCreateEventHash() ? "!E1" : "!room:example.com");
            pdu.put("sender", sender);
            pdu.put("state_key", stateKey);
            pdu.set("content", Json.parse(content));
            pdu.put("origin_server_ts", ts++);
            pdu.put("depth", 1);
            var prevArray = pdu.putArray("prev_events");
            prev.forEach(p -> prevArray.add("$" + p));
            var authArray = pdu.putArray("auth_events");
            if (!create && version.createEventInAuthEvents()) authArray.add("$E1");
            auth.forEach(a -> authArray.add("$" + a));
            byId.put("$" + id, new ResolvableEvent("$" + id, pdu, false));
            return this;
        }

        Map<StateKey, String> state(String... ids) {
            Map<StateKey, String> state = new HashMap<>();
            for (String id : ids) {
                ResolvableEvent event = byId.get("$" + id);
                state.put(event.key(), event.eventId());
            }
            return state;
        }

        @Override
        public Optional<ResolvableEvent> event(String eventId) { return Optional.ofNullable(byId.get(eventId)); }
    }

    static String join() { return "{\"membership\": \"join\"}"; }

    /** MSC4297 problem B: a member event citing stale power levels drags them back in v2. */
    static Events staleMemberEvent(RoomVersion version) {
        String creatorLevel = version.creatorsHaveInfinitePower() ? "" : "\"" + A + "\": 100";
        String sep = creatorLevel.isEmpty() ? "" : ", ";
        return new Events(version)
                .add("E1", StateKey.CREATE_TYPE, "", A, "{\"creator\": \"" + A + "\", \"room_version\": \"" + version.id() + "\"}", List.of(), List.of())
                .add("E2", StateKey.MEMBER_TYPE, A, A, join(), List.of("E1"), List.of())
                .add("E3", StateKey.POWER_LEVELS_TYPE, "", A, "{\"users\": {" + creatorLevel + "}}", List.of(), List.of("E2"))
                .add("E4", StateKey.JOIN_RULES_TYPE, "", A, "{\"join_rule\": \"public\"}", List.of(), List.of("E2", "E3"))
                .add("E5", StateKey.MEMBER_TYPE, B, B, join(), List.of(), List.of("E3", "E4"))
                .add("E6", StateKey.MEMBER_TYPE, C, C, join(), List.of(), List.of("E3", "E4"))
                .add("E7", StateKey.POWER_LEVELS_TYPE, "", A, "{\"users\": {" + creatorLevel + sep + "\"" + B + "\": 50}}", List.of(), List.of("E2", "E3"))
                .add("E8", StateKey.POWER_LEVELS_TYPE, "", B,
                        "{\"users\": {" + creatorLevel + sep + "\"" + B + "\": 50, \"" + C + "\": 50}}", List.of(), List.of("E5", "E7"))
                .add("E9", StateKey.MEMBER_TYPE, E, E, join(), List.of(), List.of("E8", "E4"))
                .add("E10", StateKey.MEMBER_TYPE, E, E, join(), List.of(), List.of("E3", "E4", "E9"))
                .add("E11", StateKey.MEMBER_TYPE, Z, Z, join(), List.of(), List.of("E8", "E4"));
    }

    @Test
    void v21ReplaysTheConflictedSubgraphAndKeepsTheNewPowerLevels() {
        Events events = staleMemberEvent(RoomVersion.V12);
        Map<StateKey, String> dodgy = events.state("E1", "E2", "E5", "E6", "E10", "E3", "E4");
        Map<StateKey, String> sensible = events.state("E1", "E2", "E5", "E6", "E11", "E8", "E4");
        Map<StateKey, String> resolved = StateResolution.resolve(RoomVersion.V12, List.of(dodgy, sensible), events);
        assertThat(resolved).isEqualTo(events.state("E1", "E2", "E5", "E6", "E9", "E11", "E8", "E4"));
        // The order of the inputs does not matter.
        assertThat(StateResolution.resolve(RoomVersion.V12, List.of(sensible, dodgy), events)).isEqualTo(resolved);
    }

    @Test
    void v2ResetsThePowerLevelsInTheSameCase() {
        Events events = staleMemberEvent(RoomVersion.V11);
        Map<StateKey, String> dodgy = events.state("E1", "E2", "E5", "E6", "E10", "E3", "E4");
        Map<StateKey, String> sensible = events.state("E1", "E2", "E5", "E6", "E11", "E8", "E4");
        Map<StateKey, String> resolved = StateResolution.resolve(RoomVersion.V11, List.of(dodgy, sensible), events);
        assertThat(resolved.get(StateKey.POWER_LEVELS)).isNotEqualTo("$E8");
    }

    /** MSC4297 problem A: the creator left after changing the join rules; a stale state still holds the old rules. */
    static Events leftCreator(RoomVersion version) {
        String users = version.creatorsHaveInfinitePower() ? "{\"users\": {\"" + B + "\": 100}}"
                : "{\"users\": {\"" + A + "\": 100, \"" + B + "\": 100}}";
        return new Events(version)
                .add("E1", StateKey.CREATE_TYPE, "", A, "{\"creator\": \"" + A + "\", \"room_version\": \"" + version.id() + "\"}", List.of(), List.of())
                .add("E2", StateKey.MEMBER_TYPE, A, A, join(), List.of(), List.of())
                .add("E3", StateKey.POWER_LEVELS_TYPE, "", A, users, List.of(), List.of("E2"))
                .add("E4", StateKey.JOIN_RULES_TYPE, "", A, "{\"join_rule\": \"public\"}", List.of(), List.of("E2", "E3"))
                .add("E5", StateKey.MEMBER_TYPE, B, B, join(), List.of(), List.of("E3", "E4"))
                .add("E6", StateKey.JOIN_RULES_TYPE, "", A, "{\"join_rule\": \"invite\"}", List.of(), List.of("E2", "E3"))
                .add("E7", StateKey.MEMBER_TYPE, A, A, "{\"membership\": \"leave\"}", List.of(), List.of("E3", "E2"));
    }

    @Test
    void v21StartsFromNothingSoTheLeftCreatorsJoinRulesSurvive() {
        Events events = leftCreator(RoomVersion.V12);
        Map<StateKey, String> correct = events.state("E1", "E7", "E5", "E3", "E6");
        Map<StateKey, String> stale = events.state("E1", "E7", "E5", "E3", "E4");
        assertThat(StateResolution.resolve(RoomVersion.V12, List.of(correct, stale), events))
                .isEqualTo(events.state("E1", "E7", "E5", "E3", "E6"));
    }

    @Test
    void v2LosesTheJoinRulesInTheSameCase() {
        Events events = leftCreator(RoomVersion.V11);
        Map<StateKey, String> correct = events.state("E1", "E7", "E5", "E3", "E6");
        Map<StateKey, String> stale = events.state("E1", "E7", "E5", "E3", "E4");
        assertThat(StateResolution.resolve(RoomVersion.V11, List.of(correct, stale), events)).doesNotContainKey(StateKey.JOIN_RULES);
    }

    @Test
    void oneOrIdenticalInputsNeedNoEvents() {
        EventSource none = id -> { throw new AssertionError("read " + id); };
        Map<StateKey, String> state = Map.of(StateKey.CREATE, "$c", StateKey.member(A), "$m");
        assertThat(StateResolution.resolve(RoomVersion.V12, List.of(state), none)).isEqualTo(state);
        assertThat(StateResolution.resolve(RoomVersion.V12, List.of(state, Map.copyOf(state)), none)).isEqualTo(state);
        assertThat(StateResolution.resolve(RoomVersion.V12, List.of(), none)).isEmpty();
    }
}
