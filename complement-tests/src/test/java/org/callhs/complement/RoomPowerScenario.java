package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power levels deciding who may do what, in every room version (in v12 the creator is above all
 * levels and is not listed in {@code users}).
 */
@HomeserverScenario
class RoomPowerScenario {

    private static final String PASSWORD = "room-power-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, RoomPowerScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    /** A public room in {@code version} created by {@code owner}, joined by the others. */
    private static String publicRoom(String version, CsApiClient owner, CsApiClient... members) {
        String roomId = Rooms.create(owner, obj("preset", "public_chat", "room_version", version));
        for (CsApiClient member : members) Rooms.join(member, roomId);
        return roomId;
    }

    /** The current power levels with some top-level keys and {@code users} entries replaced. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> powerLevels(CsApiClient reader, String roomId, Map<String, Integer> users,
                                                   Object... topLevel) {
        Map<String, Object> pl = Json.MAPPER.convertValue(Rooms.state(reader, roomId, "m.room.power_levels", ""), Map.class);
        Map<String, Object> current = new LinkedHashMap<>((Map<String, Object>) pl.getOrDefault("users", Map.of()));
        current.putAll(users);
        pl.put("users", current);
        for (int i = 0; i + 1 < topLevel.length; i += 2) pl.put((String) topLevel[i], topLevel[i + 1]);
        return pl;
    }

    private static Map<String, Object> events(CsApiClient reader, String roomId, String type, int level) {
        @SuppressWarnings("unchecked")
        Map<String, Object> events = new LinkedHashMap<>(Json.MAPPER.convertValue(
                Rooms.state(reader, roomId, "m.room.power_levels", "").path("events"), Map.class));
        events.put(type, level);
        return events;
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"10", "11", "12"})
    void stateNeedsTheLevelAndPromotionGrantsIt(String version) {
        CsApiClient alice = newUser("admin");
        CsApiClient bob = newUser("user");
        String roomId = publicRoom(version, alice, bob);

        Rooms.putStateRaw(bob, roomId, "m.room.name", "", obj("name", "bob's name")).assertError(403, "M_FORBIDDEN");
        Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 100)))
                .assertError(403, "M_FORBIDDEN");
        Rooms.putStateRaw(bob, roomId, "org.example.some.state", "", obj("x", 1)).assertError(403, "M_FORBIDDEN");
        assertThat(alice.get("rooms", roomId, "state", "m.room.name", "").status()).as("no name was set").isEqualTo(404);
        Rooms.sendText(bob, roomId, "messages need only events_default (0)");

        Rooms.putState(alice, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 50)));
        Rooms.putState(bob, roomId, "m.room.name", "", obj("name", "bob's name"));
        assertThat(Rooms.state(alice, roomId, "m.room.name", "").path("name").asText()).isEqualTo("bob's name");
        Rooms.putState(bob, roomId, "org.example.some.state", "", obj("x", 2));
        // m.room.power_levels itself needs 100.
        Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 50)))
                .assertError(403, "M_FORBIDDEN");
        // history_visibility needs 100 in the default power levels.
        Rooms.putStateRaw(bob, roomId, "m.room.history_visibility", "", obj("history_visibility", "joined"))
                .assertError(403, "M_FORBIDDEN");
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"10", "11", "12"})
    void noOneRaisesALevelAboveTheirOwn(String version) {
        CsApiClient alice = newUser("top");
        CsApiClient bob = newUser("middle");
        CsApiClient carol = newUser("bottom");
        String roomId = publicRoom(version, alice, bob, carol);
        Map<String, Object> plEvents = events(alice, roomId, "m.room.power_levels", 50);
        Rooms.putState(alice, roomId, "m.room.power_levels", "",
                powerLevels(alice, roomId, Map.of(bob.userId(), 50), "events", plEvents));

        // Bob (50) may now send power levels, but not above his own level.
        Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 75)))
                .assertError(403, "M_FORBIDDEN");
        Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(carol.userId(), 60)))
                .assertError(403, "M_FORBIDDEN");
        Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(), "ban", 99))
                .assertError(403, "M_FORBIDDEN");
        if (!version.equals("12")) {
            // Lowering someone above him (alice at 100) is refused too.
            Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(alice.userId(), 0)))
                    .assertError(403, "M_FORBIDDEN");
        } else {
            // In v12 the creator may not appear in users at all.
            var listed = Rooms.putStateRaw(alice, roomId, "m.room.power_levels", "",
                    powerLevels(alice, roomId, Map.of(alice.userId(), 100)));
            assertThat(listed.status()).as("v12 creator listed in users: %s", listed.describe()).isIn(400, 403);
        }
        Rooms.putState(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(carol.userId(), 50)));
        JsonNode users = Rooms.state(alice, roomId, "m.room.power_levels", "").path("users");
        assertThat(users.path(carol.userId()).asInt()).as("an equal level may be granted: %s", users).isEqualTo(50);
        assertThat(users.path(bob.userId()).asInt()).isEqualTo(50);
        // But not taken away from a peer of the same level.
        Rooms.putStateRaw(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(carol.userId(), 0)))
                .assertError(403, "M_FORBIDDEN");
        // Lowering oneself is fine.
        Rooms.putState(bob, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 10)));
        assertThat(Rooms.state(alice, roomId, "m.room.power_levels", "").path("users").path(bob.userId()).asInt()).isEqualTo(10);
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"10", "11", "12"})
    void redactingOthersEventsNeedsTheRedactLevel(String version) {
        CsApiClient alice = newUser("moderator");
        CsApiClient bob = newUser("redactor");
        CsApiClient carol = newUser("author");
        String roomId = publicRoom(version, alice, bob, carol);
        String carolsFirst = Rooms.sendText(carol, roomId, "carol 1");
        String carolsSecond = Rooms.sendText(carol, roomId, "carol 2");
        String bobs = Rooms.sendText(bob, roomId, "bob 1");

        bob.put(obj("reason", "no"), "rooms", roomId, "redact", carolsFirst, Rooms.txnId()).assertError(403, "M_FORBIDDEN");
        assertThat(Rooms.event(alice, roomId, carolsFirst).path("content").path("body").asText()).isEqualTo("carol 1");

        bob.put(obj(), "rooms", roomId, "redact", bobs, Rooms.txnId()).assertOk();
        assertThat(Rooms.event(alice, roomId, bobs).path("content").isEmpty()).as("own event redacted").isTrue();

        alice.put(obj("reason", "mod"), "rooms", roomId, "redact", carolsFirst, Rooms.txnId()).assertOk();
        assertThat(Rooms.event(bob, roomId, carolsFirst).path("content").isEmpty()).as("redacted by a moderator").isTrue();

        Rooms.putState(alice, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 50)));
        bob.put(obj(), "rooms", roomId, "redact", carolsSecond, Rooms.txnId()).assertOk();
        assertThat(Rooms.event(carol, roomId, carolsSecond).path("content").isEmpty()).isTrue();
    }

    @ParameterizedTest(name = "v{0}")
    @ValueSource(strings = {"11", "12"})
    void eventsDefaultMutesMembers(String version) {
        CsApiClient alice = newUser("host");
        CsApiClient bob = newUser("muted");
        String roomId = publicRoom(version, alice, bob);
        Rooms.putState(alice, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(), "events_default", 10));
        bob.put(obj("msgtype", "m.text", "body", "hello?"), "rooms", roomId, "send", "m.room.message", Rooms.txnId())
                .assertError(403, "M_FORBIDDEN");
        Rooms.sendText(alice, roomId, "the host still talks");
        Rooms.putState(alice, roomId, "m.room.power_levels", "", powerLevels(alice, roomId, Map.of(bob.userId(), 10)));
        Rooms.sendText(bob, roomId, "unmuted");
    }
}
