package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code POST /account/deactivate}, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class DeactivationApiTest extends BackendSuite {
    private static final String DEACTIVATE = "/_matrix/client/v3/account/deactivate";

    private static String room(String roomId) { return "/_matrix/client/v3/rooms/" + TestClient.seg(roomId); }

    /** The body with password auth for {@code localpart}, in the session the challenge opened. */
    private static ObjectNode withAuth(ObjectNode body, Resp challenge, String localpart, String password) {
        body.putObject("auth").put("type", "m.login.password").put("session", challenge.text("session"))
                .put("password", password).putObject("identifier").put("type", "m.id.user").put("user", localpart);
        return body;
    }

    private String membership(String token, String roomId, String userId) {
        return client.get(room(roomId) + "/state/m.room.member/" + TestClient.seg(userId), token).body().path("membership").asText();
    }

    @Test
    void deactivationNeedsThePasswordThenEndsTokensLoginsAndMemberships() {
        String owner = server.registerToken("de_owner");
        String victim = server.registerToken("de_leaver");
        String joined = client.post("/_matrix/client/v3/createRoom", owner, "{\"preset\":\"public_chat\"}").text("room_id");
        assertThat(client.post(room(joined) + "/join", victim, "{}").status()).isEqualTo(200);
        String invitedTo = client.post("/_matrix/client/v3/createRoom", owner, "{\"preset\":\"private_chat\"}").text("room_id");
        assertThat(client.post(room(invitedTo) + "/invite", owner, "{\"user_id\":\"@de_leaver:localhost\"}").status()).isEqualTo(200);
        client.put("/_matrix/client/v3/profile/" + TestClient.seg("@de_leaver:localhost") + "/displayname", victim,
                "{\"displayname\":\"Leaving Soon\"}");

        Resp challenge = client.post(DEACTIVATE, victim, Json.object());
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.body().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.password");
        Resp wrong = client.post(DEACTIVATE, victim, withAuth(Json.object(), challenge, "de_leaver", "wrong"));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(client.get("/_matrix/client/v3/account/whoami", victim).status()).as("nothing happened yet").isEqualTo(200);

        Resp done = client.post(DEACTIVATE, victim, withAuth(Json.object().put("erase", true), challenge, "de_leaver", "password-de_leaver"));
        assertThat(done.status()).as(done.body().toString()).isEqualTo(200);
        assertThat(done.text("id_server_unbind_result")).isEqualTo("no-support");

        Resp whoami = client.get("/_matrix/client/v3/account/whoami", victim);
        assertThat(whoami.status()).isEqualTo(401);
        assertThat(whoami.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        Resp login = client.login("de_leaver", "password-de_leaver", null);
        assertThat(login.status()).isEqualTo(403);
        assertThat(login.errcode()).isEqualTo("M_USER_DEACTIVATED");
        assertThat(membership(owner, joined, "@de_leaver:localhost")).as("left the joined room").isEqualTo("leave");
        assertThat(membership(owner, invitedTo, "@de_leaver:localhost")).as("rejected the invite").isEqualTo("leave");
        assertThat(client.get("/_matrix/client/v3/profile/" + TestClient.seg("@de_leaver:localhost"), owner).body().has("displayname"))
                .as("erased").isFalse();
        Resp found = client.post("/_matrix/client/v3/user_directory/search", owner, "{\"search_term\":\"de_leaver\"}");
        assertThat(found.body().path("results")).as("not in the user directory").isEmpty();
    }

    @Test
    void withoutEraseTheProfileStaysAndBadInputIsRefused() {
        String keeper = server.registerToken("de_keeper");
        client.put("/_matrix/client/v3/profile/" + TestClient.seg("@de_keeper:localhost") + "/displayname", keeper,
                "{\"displayname\":\"Kept Name\"}");
        assertThat(client.post(DEACTIVATE, keeper, "{\"erase\":\"yes\"}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(DEACTIVATE, keeper, "{\"id_server\":5}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post(DEACTIVATE, keeper, "not json").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.post(DEACTIVATE, null, "{}").status()).isEqualTo(401);
        Resp challenge = client.post(DEACTIVATE, keeper, "{}");
        assertThat(client.post(DEACTIVATE, keeper, withAuth(Json.object(), challenge, "de_keeper", "password-de_keeper")).status())
                .isEqualTo(200);
        String other = server.registerToken("de_other");
        assertThat(client.get("/_matrix/client/v3/profile/" + TestClient.seg("@de_keeper:localhost") + "/displayname", other)
                .text("displayname")).isEqualTo("Kept Name");
    }
}
