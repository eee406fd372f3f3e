package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.MatrixIds;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** Global and per-room account data, server-managed types, filters. */
@HomeserverScenario
class AccountDataScenario {

    private static final String PASSWORD = "account-data-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, AccountDataScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    /** Account data does not need the user to be in the room; a syntactically valid room ID will do. */
    private static String someRoomId(CsApiClient user) {
        return "!" + Names.random(18) + ":" + MatrixIds.serverName(user.userId());
    }

    @Test
    void globalAccountDataRoundTrips() {
        CsApiClient alice = newUser("global");
        alice.put(obj("colour", "blue", "n", 1, "nested", obj("list", List.of(1, "two"))),
                "user", alice.userId(), "account_data", "org.example.settings").assertOk();
        JsonNode got = alice.get("user", alice.userId(), "account_data", "org.example.settings").assertOk();
        assertThat(got).isEqualTo(Json.tree(obj("colour", "blue", "n", 1, "nested", obj("list", List.of(1, "two")))));

        alice.put(obj("colour", "red"), "user", alice.userId(), "account_data", "org.example.settings").assertOk();
        assertThat(alice.get("user", alice.userId(), "account_data", "org.example.settings").assertOk())
                .as("a PUT replaces the whole content").isEqualTo(Json.tree(obj("colour", "red")));
    }

    @Test
    void roomAccountDataRoundTripsAndIsSeparateFromGlobal() {
        CsApiClient alice = newUser("roomdata");
        String roomA = someRoomId(alice);
        String roomB = someRoomId(alice);
        alice.put(obj("pinned", true), "user", alice.userId(), "rooms", roomA, "account_data", "org.example.pin").assertOk();

        assertThat(alice.get("user", alice.userId(), "rooms", roomA, "account_data", "org.example.pin").assertOk())
                .isEqualTo(Json.tree(obj("pinned", true)));
        alice.get("user", alice.userId(), "rooms", roomB, "account_data", "org.example.pin").assertError(404, "M_NOT_FOUND");
        alice.get("user", alice.userId(), "account_data", "org.example.pin").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void typesWithSpecialCharactersWork() {
        CsApiClient alice = newUser("special");
        String type = "a/b c%d";
        String room = someRoomId(alice);
        alice.put(obj("v", "global"), "user", alice.userId(), "account_data", type).assertOk();
        alice.put(obj("v", "room"), "user", alice.userId(), "rooms", room, "account_data", type).assertOk();

        assertThat(alice.get("user", alice.userId(), "account_data", type).assertOk().path("v").asText()).isEqualTo("global");
        assertThat(alice.get("user", alice.userId(), "rooms", room, "account_data", type).assertOk().path("v").asText())
                .isEqualTo("room");
        alice.get("user", alice.userId(), "account_data", "a").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void unknownTypeIsNotFound() {
        CsApiClient alice = newUser("unknowntype");
        alice.get("user", alice.userId(), "account_data", "org.example.never.set").assertError(404, "M_NOT_FOUND");
        alice.get("user", alice.userId(), "rooms", someRoomId(alice), "account_data", "org.example.never.set")
                .assertError(404, "M_NOT_FOUND");
    }

    @Test
    void otherUsersAccountDataIsForbidden() {
        CsApiClient alice = newUser("private");
        CsApiClient bob = newUser("snoop");
        String room = someRoomId(alice);
        alice.put(obj("secret", 1), "user", alice.userId(), "account_data", "org.example.secret").assertOk();
        alice.put(obj("secret", 2), "user", alice.userId(), "rooms", room, "account_data", "org.example.secret").assertOk();

        bob.get("user", alice.userId(), "account_data", "org.example.secret").assertError(403, "M_FORBIDDEN");
        bob.put(obj("secret", 3), "user", alice.userId(), "account_data", "org.example.secret").assertError(403, "M_FORBIDDEN");
        bob.get("user", alice.userId(), "rooms", room, "account_data", "org.example.secret").assertError(403, "M_FORBIDDEN");
        bob.put(obj("secret", 4), "user", alice.userId(), "rooms", room, "account_data", "org.example.secret")
                .assertError(403, "M_FORBIDDEN");
        assertThat(alice.get("user", alice.userId(), "account_data", "org.example.secret").assertOk().path("secret").asInt())
                .isEqualTo(1);
    }

    @Test
    void serverManagedTypesCannotBeSet() {
        CsApiClient alice = newUser("managed");
        alice.put(obj("event_id", "$abc"), "user", alice.userId(), "rooms", someRoomId(alice), "account_data", "m.fully_read")
                .assertError(405, "M_BAD_JSON");
        alice.put(obj("global", obj()), "user", alice.userId(), "account_data", "m.push_rules")
                .assertError(405, "M_BAD_JSON");
    }

    @Test
    void invalidRoomIdIsRejected() {
        CsApiClient alice = newUser("badroom");
        alice.put(obj("x", 1), "user", alice.userId(), "rooms", "not-a-room-id", "account_data", "org.example.x")
                .assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void filtersCanBeUploadedAndFetched() {
        CsApiClient alice = newUser("filters");
        var filter = obj("event_fields", List.of("type", "content.body"),
                "room", obj("timeline", obj("limit", 10, "types", List.of("m.room.message"))));
        JsonNode created = alice.post(filter, "user", alice.userId(), "filter").assertOk();
        String filterId = created.path("filter_id").asText();
        assertThat(filterId).as("filter_id in %s", created).isNotBlank();

        JsonNode fetched = alice.get("user", alice.userId(), "filter", filterId).assertOk();
        assertThat(fetched.path("room").path("timeline").path("limit").asInt()).isEqualTo(10);
        assertThat(fetched.path("room").path("timeline").path("types")).isEqualTo(Json.tree(List.of("m.room.message")));
        assertThat(fetched.path("event_fields")).isEqualTo(Json.tree(List.of("type", "content.body")));

        alice.get("user", alice.userId(), "filter", "999999999").assertError(404, "M_NOT_FOUND");
    }
}
