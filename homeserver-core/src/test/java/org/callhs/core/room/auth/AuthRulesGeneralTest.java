package org.callhs.core.room.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.callhs.core.room.auth.RoomFixture.ALICE;
import static org.callhs.core.room.auth.RoomFixture.BOB;
import static org.callhs.core.room.auth.RoomFixture.CAROL;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules for non-member events, auth event selection, and malformed input. */
class AuthRulesGeneralTest {
    static List<RoomVersion> versions() { return RoomVersion.supported(); }

    @ParameterizedTest
    @MethodSource("versions")
    void senderMustBeJoined(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.allows(room.event("m.room.message", ALICE, null, "{\"body\": \"hi\"}"));
        room.denies(room.event("m.room.message", CAROL, null, "{\"body\": \"hi\"}"), "sender is not joined");
        room.member(CAROL, "invite");
        room.denies(room.event("m.room.message", CAROL, null, "{}"), "sender is not joined");
        room.member(CAROL, "leave");
        room.denies(room.event("m.room.message", CAROL, null, "{}"), "sender is not joined");
        room.member(CAROL, "join");
        room.allows(room.event("m.room.message", CAROL, null, "{}"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void stateKeysNamingAnotherUserAreRefused(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.member(BOB, "join");
        room.allows(room.event("m.custom.state", ALICE, ALICE, "{}"));
        room.denies(room.event("m.custom.state", ALICE, BOB, "{}"), "names another user");
        room.allows(room.event("m.custom.state", ALICE, "not-a-user", "{}"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void thirdPartyInviteEventNeedsInviteLevelNotStateDefault(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.members("join", BOB, CAROL);
        room.powerLevels(version.creatorsHaveInfinitePower()
                ? "{\"invite\": 20, \"state_default\": 90, \"users\": {\"@bob:a.test\": 50}}"
                : "{\"invite\": 20, \"state_default\": 90, \"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50}}");
        room.allows(room.event("m.room.third_party_invite", BOB, "token", "{\"public_key\": \"x\"}"));
        room.denies(room.event("m.room.third_party_invite", CAROL, "token", "{\"public_key\": \"x\"}"), "lacks the invite level");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void malformedEventsAreRefused(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        ObjectNode noType = room.event("m.room.message", ALICE, null, "{}");
        noType.remove("type");
        room.denies(noType, "no type");
        ObjectNode noSender = room.event("m.room.message", ALICE, null, "{}");
        noSender.remove("sender");
        room.denies(noSender, "no sender");
        ObjectNode badContent = room.event("m.room.message", ALICE, null, "{}");
        badContent.put("content", "text");
        room.denies(badContent, "content is not an object");
        ObjectNode badStateKey = room.event("m.room.topic", ALICE, null, "{}");
        badStateKey.put("state_key", 5);
        room.denies(badStateKey, "state_key is not a string");
        assertThatThrownBy(() -> AuthRules.check(Json.array(), room.view(), version)).isInstanceOf(AuthFailure.class);
    }

    @Test
    void authEventKeysForOrdinaryEvents() {
        assertThat(AuthRules.authEventKeys("m.room.create", ALICE, "", Json.object(), RoomVersion.V11)).isEmpty();
        assertThat(AuthRules.authEventKeys("m.room.message", ALICE, null, Json.object(), RoomVersion.V10))
                .containsExactly(StateKey.CREATE, StateKey.POWER_LEVELS, StateKey.member(ALICE));
        assertThat(AuthRules.authEventKeys("m.room.topic", ALICE, "", Json.object(), RoomVersion.V12))
                .containsExactly(StateKey.POWER_LEVELS, StateKey.member(ALICE));
    }

    @Test
    void authEventKeysForMemberEvents() {
        JsonNode join = Json.parse("{\"membership\": \"join\"}");
        assertThat(AuthRules.authEventKeys("m.room.member", BOB, BOB, join, RoomVersion.V11))
                .containsExactlyInAnyOrder(StateKey.CREATE, StateKey.POWER_LEVELS, StateKey.member(BOB), StateKey.JOIN_RULES);
        JsonNode restricted = Json.parse("{\"membership\": \"join\", \"join_authorised_via_users_server\": \"@alice:a.test\"}");
        assertThat(AuthRules.authEventKeys("m.room.member", BOB, BOB, restricted, RoomVersion.V12))
                .containsExactlyInAnyOrder(StateKey.POWER_LEVELS, StateKey.member(BOB), StateKey.JOIN_RULES, StateKey.member(ALICE));
        // Versions without restricted joins (6, 7) do not select the authoriser's member event.
        assertThat(AuthRules.authEventKeys("m.room.member", BOB, BOB, restricted, RoomVersion.V7))
                .containsExactlyInAnyOrder(StateKey.CREATE, StateKey.POWER_LEVELS, StateKey.member(BOB), StateKey.JOIN_RULES);
        assertThat(AuthRules.authEventKeys("m.room.member", BOB, BOB, restricted, RoomVersion.V8)).contains(StateKey.member(ALICE));
        JsonNode invite = Json.parse("{\"membership\": \"invite\"}");
        assertThat(AuthRules.authEventKeys("m.room.member", ALICE, BOB, invite, RoomVersion.V10))
                .containsExactlyInAnyOrder(StateKey.CREATE, StateKey.POWER_LEVELS, StateKey.member(ALICE), StateKey.member(BOB),
                        StateKey.JOIN_RULES);
        JsonNode thirdParty = Json.parse("{\"membership\": \"invite\", \"third_party_invite\": {\"signed\": {\"token\": \"tok\"}}}");
        assertThat(AuthRules.authEventKeys("m.room.member", ALICE, BOB, thirdParty, RoomVersion.V12))
                .contains(StateKey.of("m.room.third_party_invite", "tok"));
        JsonNode leave = Json.parse("{\"membership\": \"leave\"}");
        assertThat(AuthRules.authEventKeys("m.room.member", ALICE, BOB, leave, RoomVersion.V12))
                .containsExactlyInAnyOrder(StateKey.POWER_LEVELS, StateKey.member(ALICE), StateKey.member(BOB));
        JsonNode knock = Json.parse("{\"membership\": \"knock\"}");
        assertThat(AuthRules.authEventKeys("m.room.member", BOB, BOB, knock, RoomVersion.V12)).contains(StateKey.JOIN_RULES);
    }

    private static ObjectNode withRoom(JsonNode pdu, String roomId) {
        ObjectNode copy = pdu.deepCopy();
        copy.put("room_id", roomId);
        return copy;
    }

    @Test
    void authEventSelectionV11() {
        RoomFixture room = RoomFixture.standard(RoomVersion.V11, "public");
        ObjectNode message = room.event("m.room.message", ALICE, null, "{}");
        JsonNode create = room.state.get(StateKey.CREATE);
        JsonNode pl = room.state.get(StateKey.POWER_LEVELS);
        JsonNode aliceJoin = room.state.get(StateKey.member(ALICE));
        JsonNode joinRules = room.state.get(StateKey.JOIN_RULES);
        assertThatCode(() -> AuthRules.checkAuthEventSelection(message, List.of(create, pl, aliceJoin), RoomVersion.V11))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> AuthRules.checkAuthEventSelection(message, List.of(pl, aliceJoin), RoomVersion.V11))
                .isInstanceOf(AuthFailure.class).hasMessageContaining("lack the create event");
        assertThatThrownBy(() -> AuthRules.checkAuthEventSelection(message, List.of(create, pl, pl), RoomVersion.V11))
                .isInstanceOf(AuthFailure.class).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> AuthRules.checkAuthEventSelection(message, List.of(create, joinRules), RoomVersion.V11))
                .isInstanceOf(AuthFailure.class).hasMessageContaining("not one the selection rules allow");
        assertThatThrownBy(() -> AuthRules.checkAuthEventSelection(message, List.of(create, withRoom(pl, "!other:a.test")),
                RoomVersion.V11)).isInstanceOf(AuthFailure.class).hasMessageContaining("another room");
        assertThatThrownBy(() -> AuthRules.checkAuthEventSelection(create, List.of(pl), RoomVersion.V11))
                .isInstanceOf(AuthFailure.class).hasMessageContaining("no auth events");
    }

    @Test
    void authEventSelectionV12MustNotListTheCreateEvent() {
        RoomFixture room = RoomFixture.standard(RoomVersion.V12, "public");
        ObjectNode join = room.memberEvent(BOB, BOB, "join");
        JsonNode pl = room.state.get(StateKey.POWER_LEVELS);
        JsonNode joinRules = room.state.get(StateKey.JOIN_RULES);
        assertThatCode(() -> AuthRules.checkAuthEventSelection(join, List.of(pl, joinRules), RoomVersion.V12))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> AuthRules.checkAuthEventSelection(join, List.of(room.create, pl, joinRules), RoomVersion.V12))
                .isInstanceOf(AuthFailure.class).hasMessageContaining("not one the selection rules allow");
    }

    @Test
    void stateViewOfMapIsLive() {
        java.util.Map<StateKey, JsonNode> map = new java.util.HashMap<>();
        StateView view = StateView.of(map);
        assertThat(view.get(StateKey.CREATE)).isEmpty();
        map.put(StateKey.CREATE, Json.object());
        assertThat(view.get("m.room.create", "")).isPresent();
        assertThat(StateKey.of("m.room.member", ALICE)).isEqualTo(StateKey.member(ALICE));
    }
}
