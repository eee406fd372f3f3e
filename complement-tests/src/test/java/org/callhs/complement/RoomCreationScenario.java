package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /createRoom}: every preset in every room version (the state the preset implies,
 * room ID formats, v12 creators), the optional request fields, and bad input.
 */
@HomeserverScenario
class RoomCreationScenario {

    private static final String PASSWORD = "room-creation-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RoomCreationScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    static Stream<Arguments> presetsAndVersions() {
        List<Arguments> out = new ArrayList<>();
        for (String preset : List.of("private_chat", "public_chat", "trusted_private_chat")) {
            for (String version : List.of("10", "11", "12")) out.add(Arguments.of(preset, version));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} in v{1}")
    @MethodSource("presetsAndVersions")
    void presetProducesTheSpecifiedState(String preset, String version) {
        CsApiClient alice = newUser("creator");
        CsApiClient bob = newUser("invitee");
        String roomId = Rooms.create(alice, obj("preset", preset, "room_version", version, "invite", List.of(bob.userId())));
        boolean v12 = version.equals("12");

        if (v12) {
            assertThat(roomId).as("v12 room ID: '!' + 43 unpadded url-safe base64 characters, no server part")
                    .matches("![A-Za-z0-9_-]{43}");
        } else {
            assertThat(roomId).as("v%s room ID", version).matches("![^:]+:" + java.util.regex.Pattern.quote(hs().serverName()));
        }

        JsonNode create = Rooms.stateEvent(alice, roomId, "m.room.create", "");
        assertThat(create.path("sender").asText()).isEqualTo(alice.userId());
        assertThat(create.path("room_id").asText()).as("room_id of the create event in the client format").isEqualTo(roomId);
        assertThat(create.path("content").path("room_version").asText()).isEqualTo(version);
        if (version.equals("10")) {
            assertThat(create.path("content").path("creator").asText()).as("v10 content.creator").isEqualTo(alice.userId());
        }
        if (v12) {
            assertThat(create.path("event_id").asText()).as("v12: the room ID is the create event's reference hash")
                    .isEqualTo("$" + roomId.substring(1));
        }

        String joinRule = Rooms.state(alice, roomId, "m.room.join_rules", "").path("join_rule").asText();
        assertThat(joinRule).isEqualTo(preset.equals("public_chat") ? "public" : "invite");
        assertThat(Rooms.state(alice, roomId, "m.room.history_visibility", "").path("history_visibility").asText())
                .isEqualTo("shared");
        CsResponse guestAccess = alice.get("rooms", roomId, "state", "m.room.guest_access", "");
        if (preset.equals("public_chat")) {
            // The spec says "forbidden"; an absent event means the same (Synapse sends none).
            if (guestAccess.status() == 200) {
                assertThat(guestAccess.json().path("guest_access").asText()).isEqualTo("forbidden");
            } else {
                guestAccess.assertError(404, "M_NOT_FOUND");
            }
        } else {
            assertThat(guestAccess.assertOk().path("guest_access").asText()).isEqualTo("can_join");
        }

        JsonNode users = Rooms.state(alice, roomId, "m.room.power_levels", "").path("users");
        JsonNode additional = create.path("content").path("additional_creators");
        boolean trusted = preset.equals("trusted_private_chat");
        if (v12) {
            assertThat(users.has(alice.userId())).as("v12: the creator is not in power_levels.users: %s", users).isFalse();
            assertThat(users.has(bob.userId())).as("v12: invitees are not in power_levels.users: %s", users).isFalse();
            if (trusted) {
                assertThat(additional).as("v12 trusted_private_chat: invitees are additional creators")
                        .isEqualTo(Json.tree(List.of(bob.userId())));
            } else {
                assertThat(additional.isMissingNode() || additional.isEmpty())
                        .as("no additional_creators for %s: %s", preset, create).isTrue();
            }
        } else {
            assertThat(users.path(alice.userId()).asInt()).as("creator's level in %s", users).isEqualTo(100);
            if (trusted) {
                assertThat(users.path(bob.userId()).asInt()).as("trusted_private_chat invitee's level in %s", users).isEqualTo(100);
            } else {
                assertThat(users.path(bob.userId()).asInt(0)).as("invitee's level in %s", users).isZero();
            }
            assertThat(additional.isMissingNode()).as("no additional_creators before v12: %s", create).isTrue();
        }

        assertThat(Rooms.state(alice, roomId, "m.room.member", bob.userId()).path("membership").asText()).isEqualTo("invite");
        assertThat(Rooms.joinedRooms(alice)).contains(roomId);

        // The invitee joins; with trusted_private_chat they may then do what the creator can.
        Rooms.join(bob, roomId);
        CsResponse plChange = Rooms.putStateRaw(bob, roomId, "m.room.history_visibility", "",
                obj("history_visibility", "joined"));
        if (trusted) plChange.assertOk();
        else plChange.assertError(403, "M_FORBIDDEN");
    }

    @Test
    void defaultRoomVersionIsTheAdvertisedOne() {
        CsApiClient alice = newUser("default");
        String advertised = alice.get("capabilities").assertOk()
                .path("capabilities").path("m.room_versions").path("default").asText();
        assertThat(advertised).as("default room version in /capabilities").isNotBlank();
        String roomId = Rooms.create(alice, obj());
        assertThat(Rooms.state(alice, roomId, "m.room.create", "").path("room_version").asText()).isEqualTo(advertised);
        // No preset and no visibility: private_chat.
        assertThat(Rooms.state(alice, roomId, "m.room.join_rules", "").path("join_rule").asText()).isEqualTo("invite");
        // visibility public without a preset: public_chat.
        String publicRoom = Rooms.create(alice, obj("visibility", "public"));
        assertThat(Rooms.state(alice, publicRoom, "m.room.join_rules", "").path("join_rule").asText()).isEqualTo("public");
    }

    @Test
    void optionalFieldsAreApplied() {
        CsApiClient alice = newUser("fields");
        CsApiClient bob = newUser("fieldsbob");
        String aliasName = "fields-" + Names.random(8);
        JsonNode created = alice.post(obj(
                "preset", "private_chat",
                "room_version", "11",
                "name", "The Name",
                "topic", "The Topic",
                "room_alias_name", aliasName,
                "initial_state", List.of(
                        obj("type", "m.room.history_visibility", "state_key", "", "content", obj("history_visibility", "joined")),
                        obj("type", "org.example.custom", "state_key", "k1", "content", obj("v", 1))),
                "power_level_content_override", obj(
                        "events_default", 10,
                        "users", obj(alice.userId(), 100, bob.userId(), 42)),
                "creation_content", obj("m.federate", false, "org.example.note", "kept")), "createRoom").assertOk();
        String roomId = created.path("room_id").asText();
        String alias = "#" + aliasName + ":" + hs().serverName();
        assertThat(created.path("room_alias").asText()).as("room_alias in %s", created).isEqualTo(alias);

        assertThat(Rooms.state(alice, roomId, "m.room.name", "").path("name").asText()).isEqualTo("The Name");
        assertThat(Rooms.state(alice, roomId, "m.room.topic", "").path("topic").asText()).isEqualTo("The Topic");
        assertThat(Rooms.state(alice, roomId, "m.room.canonical_alias", "").path("alias").asText()).isEqualTo(alias);
        assertThat(alice.get("directory", "room", alias).assertOk().path("room_id").asText()).isEqualTo(roomId);
        assertThat(Rooms.state(alice, roomId, "m.room.history_visibility", "").path("history_visibility").asText())
                .as("initial_state overrides the preset").isEqualTo("joined");
        assertThat(Rooms.state(alice, roomId, "org.example.custom", "k1").path("v").asInt()).isEqualTo(1);

        JsonNode pl = Rooms.state(alice, roomId, "m.room.power_levels", "");
        assertThat(pl.path("events_default").asInt()).isEqualTo(10);
        assertThat(pl.path("users")).isEqualTo(Json.tree(obj(alice.userId(), 100, bob.userId(), 42)));
        assertThat(pl.path("state_default").asInt()).as("not overridden: preset default").isEqualTo(50);

        JsonNode create = Rooms.state(alice, roomId, "m.room.create", "");
        assertThat(create.path("m.federate").asBoolean(true)).isFalse();
        assertThat(create.path("org.example.note").asText()).isEqualTo("kept");
        assertThat(create.path("room_version").asText()).isEqualTo("11");

        // Exactly one event per piece of state: the full state lists each (type, state_key) once.
        JsonNode all = alice.get("rooms", roomId, "state").json();
        assertThat(all.isArray()).as("GET /state is an array: %s", all).isTrue();
        List<String> keys = new ArrayList<>();
        all.forEach(e -> keys.add(e.path("type").asText() + "|" + e.path("state_key").asText()));
        assertThat(keys).doesNotHaveDuplicates().contains("m.room.create|", "m.room.member|" + alice.userId(),
                "m.room.power_levels|", "m.room.join_rules|", "m.room.history_visibility|", "m.room.name|",
                "m.room.topic|", "m.room.canonical_alias|", "org.example.custom|k1");
    }

    @Test
    void isDirectMarksTheInvites() {
        CsApiClient alice = newUser("direct");
        CsApiClient bob = newUser("directbob");
        String dm = Rooms.create(alice, obj("preset", "trusted_private_chat", "is_direct", true, "invite", List.of(bob.userId())));
        JsonNode invite = Rooms.stateEvent(alice, dm, "m.room.member", bob.userId());
        assertThat(invite.path("content").path("membership").asText()).isEqualTo("invite");
        assertThat(invite.path("content").path("is_direct").asBoolean(false)).as("is_direct in %s", invite).isTrue();
        assertThat(invite.path("sender").asText()).isEqualTo(alice.userId());

        String notDirect = Rooms.create(alice, obj("invite", List.of(bob.userId())));
        JsonNode plainInvite = Rooms.state(alice, notDirect, "m.room.member", bob.userId());
        assertThat(plainInvite.path("is_direct").asBoolean(false)).as("no is_direct without the flag: %s", plainInvite).isFalse();
    }

    @Test
    void badInputIsRefused() {
        CsApiClient alice = newUser("badcreate");
        List<String> before = Rooms.joinedRooms(alice);

        alice.post(obj("room_version", "5"), "createRoom").assertError(400, "M_UNSUPPORTED_ROOM_VERSION");
        alice.post(obj("room_version", "org.example.nonsense"), "createRoom").assertError(400, "M_UNSUPPORTED_ROOM_VERSION");
        CsResponse badPreset = alice.post(obj("preset", "everyone_is_admin"), "createRoom");
        badPreset.assertStatus(400);
        assertThat(badPreset.errcode()).as("errcode of %s", badPreset.describe()).isNotBlank();

        String aliasName = "taken-" + Names.random(8);
        Rooms.create(alice, obj("room_alias_name", aliasName));
        List<String> withFirst = Rooms.joinedRooms(alice);
        assertThat(withFirst).hasSize(before.size() + 1);
        CsApiClient bob = newUser("aliasthief");
        bob.post(obj("room_alias_name", aliasName), "createRoom").assertError(400, "M_ROOM_IN_USE");
        alice.post(obj("room_alias_name", aliasName), "createRoom").assertError(400, "M_ROOM_IN_USE");
        assertThat(Rooms.joinedRooms(alice)).as("refused creations leave no room behind").containsExactlyInAnyOrderElementsOf(withFirst);
        assertThat(Rooms.joinedRooms(bob)).isEmpty();

        // An override that leaves the creator powerless makes the preset's state events fail:
        // the whole creation is refused, and no half-made room remains.
        CsResponse powerless = alice.post(obj("preset", "private_chat", "name", "never",
                "power_level_content_override", obj("users", obj())), "createRoom");
        assertThat(powerless.status()).as("createRoom whose own events are refused: %s", powerless.describe()).isBetween(400, 499);
        assertThat(Rooms.joinedRooms(alice)).containsExactlyInAnyOrderElementsOf(withFirst);
    }
}
