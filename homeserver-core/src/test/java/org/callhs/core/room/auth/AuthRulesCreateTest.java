package org.callhs.core.room.auth;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.callhs.core.room.auth.RoomFixture.ALICE;
import static org.callhs.core.room.auth.RoomFixture.BOB;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** m.room.create rules, the creator's first join, and rules tied to the create event. */
class AuthRulesCreateTest {
    static List<RoomVersion> versions() { return RoomVersion.supported(); }

    private static void allowed(ObjectNode create, RoomVersion version) {
        assertThatCode(() -> AuthRules.check(create, StateView.empty(), version)).doesNotThrowAnyException();
    }

    private static void denied(ObjectNode create, RoomVersion version, String reason) {
        assertThatThrownBy(() -> AuthRules.check(create, StateView.empty(), version))
                .isInstanceOf(AuthFailure.class).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void aWellFormedCreateEventIsAllowed(RoomVersion version) {
        allowed(RoomFixture.createEvent(version, ALICE, null), version);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void createWithPrevEventsIsDenied(RoomVersion version) {
        ObjectNode create = RoomFixture.createEvent(version, ALICE, null);
        create.putArray("prev_events").add("$earlier");
        denied(create, version, "prev_events");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void unknownRoomVersionInContentIsDenied(RoomVersion version) {
        ObjectNode create = RoomFixture.createEvent(version, ALICE, null);
        ((ObjectNode) create.get("content")).put("room_version", "99");
        denied(create, version, "unknown room version");
        ((ObjectNode) create.get("content")).put("room_version", 11);
        denied(create, version, "unknown room version");
        ((ObjectNode) create.get("content")).remove("room_version");
        allowed(create, version);
    }

    @Test
    void v10RequiresContentCreatorButV11DoesNot() {
        ObjectNode v10 = RoomFixture.createEvent(RoomVersion.V10, ALICE, null);
        ((ObjectNode) v10.get("content")).remove("creator");
        denied(v10, RoomVersion.V10, "no creator");
        ObjectNode v11 = RoomFixture.createEvent(RoomVersion.V11, ALICE, null);
        allowed(v11, RoomVersion.V11);
    }

    @Test
    void v10AndV11RequireTheRoomIdOnTheSendersServer() {
        for (RoomVersion version : List.of(RoomVersion.V10, RoomVersion.V11)) {
            ObjectNode create = RoomFixture.createEvent(version, ALICE, null);
            create.put("room_id", "!room:elsewhere.test");
            denied(create, version, "room_id domain");
            create.remove("room_id");
            denied(create, version, "room_id domain");
        }
    }

    @Test
    void v12CreateMustNotCarryARoomId() {
        ObjectNode create = RoomFixture.createEvent(RoomVersion.V12, ALICE, null);
        create.put("room_id", "!room:a.test");
        denied(create, RoomVersion.V12, "must not have a room_id");
    }

    @Test
    void v12ValidatesAdditionalCreators() {
        allowed(RoomFixture.createEvent(RoomVersion.V12, ALICE, "{\"additional_creators\": [\"@bob:a.test\"]}"), RoomVersion.V12);
        denied(RoomFixture.createEvent(RoomVersion.V12, ALICE, "{\"additional_creators\": \"@bob:a.test\"}"), RoomVersion.V12,
                "not an array");
        denied(RoomFixture.createEvent(RoomVersion.V12, ALICE, "{\"additional_creators\": [\"bob\"]}"), RoomVersion.V12,
                "invalid user IDs");
        denied(RoomFixture.createEvent(RoomVersion.V12, ALICE, "{\"additional_creators\": [42]}"), RoomVersion.V12,
                "invalid user IDs");
        // v11 gives additional_creators no meaning, so it is not validated.
        allowed(RoomFixture.createEvent(RoomVersion.V11, ALICE, "{\"additional_creators\": [42]}"), RoomVersion.V11);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void createMustHaveEmptyStateKey(RoomVersion version) {
        ObjectNode create = RoomFixture.createEvent(version, ALICE, null);
        create.put("state_key", "x");
        denied(create, version, "empty state_key");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void creatorsFirstJoinRightAfterCreateIsAllowed(RoomVersion version) {
        RoomFixture room = RoomFixture.bare(version, ALICE, null);
        ObjectNode join = room.memberEvent(ALICE, ALICE, "join");
        join.putArray("prev_events").add(room.createId);
        room.allows(join);
        // Without that prev event the usual join rules apply: no join rules means invite-only.
        room.denies(room.memberEvent(ALICE, ALICE, "join"), "requires an invite");
        // Someone else may not use the creator exception.
        ObjectNode other = room.memberEvent(BOB, BOB, "join");
        other.putArray("prev_events").add(room.createId);
        room.denies(other, "requires an invite");
    }

    @Test
    void v10TakesTheCreatorFromContentCreator() {
        RoomFixture room = RoomFixture.bare(RoomVersion.V10, ALICE, "{\"creator\": \"@bob:a.test\"}");
        ObjectNode bobJoins = room.memberEvent(BOB, BOB, "join");
        bobJoins.putArray("prev_events").add(room.createId);
        room.allows(bobJoins);
        ObjectNode aliceJoins = room.memberEvent(ALICE, ALICE, "join");
        aliceJoins.putArray("prev_events").add(room.createId);
        room.denies(aliceJoins, "requires an invite");
        // With no power levels, the creator (Bob) has 100 and the sender of the create 0.
        org.assertj.core.api.Assertions.assertThat(room.level(BOB)).isEqualTo(100);
        org.assertj.core.api.Assertions.assertThat(room.level(ALICE)).isZero();
    }

    @Test
    void v11TakesTheCreatorFromTheSenderAndIgnoresContentCreator() {
        RoomFixture room = RoomFixture.bare(RoomVersion.V11, ALICE, "{\"creator\": \"@bob:a.test\"}");
        ObjectNode aliceJoins = room.memberEvent(ALICE, ALICE, "join");
        aliceJoins.putArray("prev_events").add(room.createId);
        room.allows(aliceJoins);
        ObjectNode bobJoins = room.memberEvent(BOB, BOB, "join");
        bobJoins.putArray("prev_events").add(room.createId);
        room.denies(bobJoins, "requires an invite");
        org.assertj.core.api.Assertions.assertThat(room.level(ALICE)).isEqualTo(100);
        org.assertj.core.api.Assertions.assertThat(room.level(BOB)).isZero();
    }

    @Test
    void v12AdditionalCreatorsDoNotGetTheFirstJoinException() {
        RoomFixture room = RoomFixture.bare(RoomVersion.V12, ALICE, "{\"additional_creators\": [\"@bob:a.test\"]}");
        ObjectNode bobJoins = room.memberEvent(BOB, BOB, "join");
        bobJoins.putArray("prev_events").add(room.createId);
        room.denies(bobJoins, "requires an invite");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void eventsNeedACreateEventInState(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        ObjectNode message = room.event("m.room.message", ALICE, null, "{\"body\": \"hi\"}");
        assertThatThrownBy(() -> AuthRules.check(message, StateView.empty(), version))
                .isInstanceOf(AuthFailure.class).hasMessageContaining("no m.room.create");
    }

    @Test
    void v12EventsMustNameTheCreateEventsRoomId() {
        RoomFixture room = RoomFixture.standard(RoomVersion.V12, "public");
        room.allows(room.event("m.room.message", ALICE, null, "{}"));
        ObjectNode elsewhere = room.event("m.room.message", ALICE, null, "{}");
        elsewhere.put("room_id", "!someotherroom");
        room.denies(elsewhere, "room_id is not the create event's ID");
        elsewhere.remove("room_id");
        room.denies(elsewhere, "room_id is not the create event's ID");
    }

    @Test
    void v12AcceptsAStoredCreateEventCarryingEventIdAndRoomId() {
        RoomFixture room = RoomFixture.standard(RoomVersion.V12, "public");
        ObjectNode stored = room.create.deepCopy();
        stored.put("event_id", room.createId).put("room_id", room.roomId);
        room.state.put(StateKey.CREATE, stored);
        room.allows(room.event("m.room.message", ALICE, null, "{}"));
        stored.remove("event_id");
        room.allows(room.event("m.room.message", ALICE, null, "{}"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void nonFederatingRoomsRefuseRemoteSenders(RoomVersion version) {
        RoomFixture room = RoomFixture.bare(version, ALICE, "{\"m.federate\": false}");
        room.member(ALICE, "join").joinRule("public");
        room.allows(room.event("m.room.message", ALICE, null, "{}"));
        room.allows(room.memberEvent(BOB, BOB, "join"));
        room.denies(room.memberEvent(RoomFixture.CAROL, RoomFixture.CAROL, "join"), "does not federate");
        room.member(RoomFixture.CAROL, "join");
        room.denies(room.event("m.room.message", RoomFixture.CAROL, null, "{}"), "does not federate");
        // Inviting a remote user is refused too (as Synapse does).
        room.denies(room.memberEvent(ALICE, RoomFixture.DAVE, "invite"), "does not federate");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void federatingRoomsAcceptRemoteSenders(RoomVersion version) {
        RoomFixture room = RoomFixture.bare(version, ALICE, "{\"m.federate\": true}");
        room.member(ALICE, "join").joinRule("public");
        room.allows(room.memberEvent(RoomFixture.CAROL, RoomFixture.CAROL, "join"));
    }
}
