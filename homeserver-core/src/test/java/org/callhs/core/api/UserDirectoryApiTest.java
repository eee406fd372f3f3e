package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code POST /user_directory/search}, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class UserDirectoryApiTest extends BackendSuite {
    private static final String SEARCH = "/_matrix/client/v3/user_directory/search";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    private String createRoom(String token, String preset) {
        return client.post("/_matrix/client/v3/createRoom", token, "{\"preset\":\"" + preset + "\"}").text("room_id");
    }

    private void displayName(String token, String userId, String name) {
        assertThat(client.put("/_matrix/client/v3/profile/" + TestClient.seg(userId) + "/displayname", token,
                "{\"displayname\":\"" + name + "\"}").status()).isEqualTo(200);
    }

    private Resp search(String token, String body) {
        return client.post(SEARCH, token, body);
    }

    private List<String> found(String token, String term) {
        Resp r = search(token, "{\"search_term\":\"" + term + "\"}");
        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        for (JsonNode u : r.body().path("results")) ids.add(u.path("user_id").asText());
        return ids;
    }

    @Test
    void findsUsersSharingARoomAndUsersInPublicRoomsOnly() {
        String alice = server.registerToken("ud_alice");
        String bob = server.registerToken("ud_bob");
        String carol = server.registerToken("ud_carol");
        String dave = server.registerToken("ud_dave");
        String shared = createRoom(alice, "private_chat");
        client.post(room(shared) + "/invite", alice, "{\"user_id\":\"@ud_bob:localhost\"}");
        assertThat(client.post(room(shared) + "/join", bob, "{}").status()).isEqualTo(200);
        createRoom(carol, "public_chat");
        String hidden = createRoom(dave, "private_chat");
        displayName(bob, "@ud_bob:localhost", "Bobby Tables");

        assertThat(found(alice, "ud_bob")).containsExactly("@ud_bob:localhost");
        Resp byName = search(alice, "{\"search_term\":\"tables BOBBY\"}");
        assertThat(byName.body().path("results").get(0).path("user_id").asText()).isEqualTo("@ud_bob:localhost");
        assertThat(byName.body().path("results").get(0).path("display_name").asText()).isEqualTo("Bobby Tables");
        assertThat(byName.body().path("limited").asBoolean()).isFalse();
        assertThat(found(alice, "ud_carol")).as("in a public room").containsExactly("@ud_carol:localhost");
        assertThat(found(alice, "ud_dave")).as("only in a private room alice is not in").isEmpty();

        // Dave's room turns public: he can be found from then on.
        assertThat(client.put(room(hidden) + "/state/m.room.join_rules/", dave, "{\"join_rule\":\"public\"}").status()).isEqualTo(200);
        assertThat(found(alice, "ud_dave")).containsExactly("@ud_dave:localhost");
        // And private again: not any more.
        assertThat(client.put(room(hidden) + "/state/m.room.join_rules/", dave, "{\"join_rule\":\"invite\"}").status()).isEqualTo(200);
        assertThat(found(alice, "ud_dave")).isEmpty();
    }

    @Test
    void usersSharingARoomComeFirstAndTheLimitSaysWhenThereIsMore() {
        String erin = server.registerToken("ud_erin");
        String frank = server.registerToken("ud_frank_x");
        String grace = server.registerToken("ud_grace_x");
        createRoom(grace, "public_chat");
        String shared = createRoom(erin, "public_chat");
        assertThat(client.post(room(shared) + "/join", frank, "{}").status()).isEqualTo(200);
        // Grace is only in her own public room; frank shares erin's.
        assertThat(found(erin, "_x")).containsExactly("@ud_frank_x:localhost", "@ud_grace_x:localhost");
        Resp one = search(erin, "{\"search_term\":\"_x\",\"limit\":1}");
        assertThat(one.body().path("results")).hasSize(1);
        assertThat(one.body().path("results").get(0).path("user_id").asText()).isEqualTo("@ud_frank_x:localhost");
        assertThat(one.body().path("limited").asBoolean()).isTrue();
        assertThat(search(erin, "{\"search_term\":\"_x\",\"limit\":0}").body().path("limited").asBoolean()).isTrue();
    }

    @Test
    void badInputIsRefusedWithTheSpecsErrors() {
        String henry = server.registerToken("ud_henry");
        assertThat(search(henry, "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(search(henry, "{\"search_term\":5}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(search(henry, "{\"search_term\":\"x\",\"limit\":\"ten\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(search(henry, "{\"search_term\":\"x\",\"limit\":1.5}").errcode()).isEqualTo("M_BAD_JSON");
        Resp negative = search(henry, "{\"search_term\":\"x\",\"limit\":-1}");
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.errcode()).isEqualTo("M_INVALID_PARAM");
        assertThat(search(henry, "not json").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(search(henry, "[]").status()).isEqualTo(400);
        assertThat(search(null, "{\"search_term\":\"x\"}").status()).isEqualTo(401);
        assertThat(found(henry, "   ")).as("a blank term matches everyone visible, as Synapse").isNotNull();
    }
}
