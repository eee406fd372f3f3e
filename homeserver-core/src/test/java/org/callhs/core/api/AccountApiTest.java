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

/** Registration, login, sessions, devices and password changes, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class AccountApiTest extends BackendSuite {
    private static ObjectNode body(String... pairs) {
        ObjectNode node = Json.object();
        for (int i = 0; i < pairs.length; i += 2) node.put(pairs[i], pairs[i + 1]);
        return node;
    }

    @Test
    void registrationChallengesWithTheDummyFlowThenCreatesTheAccount() {
        Resp first = client.post("/_matrix/client/v3/register", null, body("username", "reg1", "password", "pw"));
        assertThat(first.status()).isEqualTo(401);
        assertThat(first.body().has("errcode")).isFalse();
        assertThat(first.body().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.dummy");
        assertThat(first.text("session")).isNotBlank();

        ObjectNode second = body("username", "Reg1", "password", "pw", "initial_device_display_name", "Phone");
        second.putObject("auth").put("type", "m.login.dummy").put("session", first.text("session"));
        Resp done = client.post("/_matrix/client/r0/register", null, second);
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.text("user_id")).isEqualTo("@reg1:localhost");
        String token = done.text("access_token");
        Resp whoami = client.get("/_matrix/client/v3/account/whoami", token);
        assertThat(whoami.text("user_id")).isEqualTo("@reg1:localhost");
        assertThat(whoami.text("device_id")).isEqualTo(done.text("device_id"));
        assertThat(whoami.body().path("is_guest").asBoolean()).isFalse();
        Resp device = client.get("/_matrix/client/v3/devices/" + done.text("device_id"), token);
        assertThat(device.text("display_name")).isEqualTo("Phone");
    }

    @Test
    void usernamesAreCheckedBeforeTheChallenge() {
        server.registerToken("taken");
        Resp taken = client.post("/_matrix/client/v3/register", null, body("username", "taken", "password", "pw"));
        assertThat(taken.status()).isEqualTo(400);
        assertThat(taken.errcode()).isEqualTo("M_USER_IN_USE");
        for (String bad : new String[] {"has space", "_reserved", "12345", "é", "a".repeat(250)}) {
            Resp invalid = client.post("/_matrix/client/v3/register", null, body("username", bad, "password", "pw"));
            assertThat(invalid.status()).as(bad).isEqualTo(400);
            assertThat(invalid.errcode()).as(bad).isEqualTo("M_INVALID_USERNAME");
        }
        assertThat(client.get("/_matrix/client/v3/register/available?username=free1", null).body().path("available").asBoolean()).isTrue();
        assertThat(client.get("/_matrix/client/v3/register/available?username=taken", null).errcode()).isEqualTo("M_USER_IN_USE");
        assertThat(client.get("/_matrix/client/v3/register/available?username=a%20b", null).errcode()).isEqualTo("M_INVALID_USERNAME");
        assertThat(client.get("/_matrix/client/v3/register/available", null).errcode()).isEqualTo("M_MISSING_PARAM");
    }

    @Test
    void inhibitLoginReturnsOnlyTheUserId() {
        ObjectNode request = body("username", "inhibited", "password", "pw");
        request.put("inhibit_login", true);
        Resp first = client.post("/_matrix/client/v3/register", null, request);
        request.putObject("auth").put("type", "m.login.dummy").put("session", first.text("session"));
        Resp done = client.post("/_matrix/client/v3/register", null, request);
        assertThat(done.status()).isEqualTo(200);
        assertThat(done.text("user_id")).isEqualTo("@inhibited:localhost");
        assertThat(done.body().has("access_token")).isFalse();
        assertThat(client.login("inhibited", "pw", null).status()).isEqualTo(200);
    }

    @Test
    void badAuthSessionsAndMissingPasswordsAreRejected() {
        ObjectNode request = body("username", "nosession", "password", "pw");
        request.putObject("auth").put("type", "m.login.dummy").put("session", "does-not-exist");
        assertThat(client.post("/_matrix/client/v3/register", null, request).status()).isEqualTo(400);
        // No password: the UIA flows first (as for {}), then, once the stages are done, M_MISSING_PARAM.
        Resp empty = client.post("/_matrix/client/v3/register", null, "{}");
        assertThat(empty.status()).isEqualTo(401);
        assertThat(empty.body().path("flows").isArray()).isTrue();
        assertThat(empty.text("session")).isNotBlank();
        Resp challenge = client.post("/_matrix/client/v3/register", null, body("username", "nopw"));
        assertThat(challenge.status()).isEqualTo(401);
        ObjectNode completed = body("username", "nopw");
        completed.putObject("auth").put("type", "m.login.dummy").put("session", challenge.text("session"));
        Resp noPassword = client.post("/_matrix/client/v3/register", null, completed);
        assertThat(noPassword.status()).isEqualTo(400);
        assertThat(noPassword.errcode()).isEqualTo("M_MISSING_PARAM");
        Resp badKind = client.post("/_matrix/client/v3/register?kind=robot", null, body());
        assertThat(badKind.status()).isEqualTo(400);
        Resp wrongType = client.post("/_matrix/client/v3/register", null, "{\"username\": 5, \"password\": \"pw\"}");
        assertThat(wrongType.errcode()).isEqualTo("M_BAD_JSON");
    }

    @Test
    void guestsGetATokenButOnlyGuestEndpoints() {
        Resp guest = client.post("/_matrix/client/v3/register?kind=guest", null, body("username", "ignored"));
        assertThat(guest.status()).isEqualTo(200);
        assertThat(guest.text("user_id")).matches("@\\d+:localhost");
        String token = guest.text("access_token");
        assertThat(client.get("/_matrix/client/v3/account/whoami", token).body().path("is_guest").asBoolean()).isTrue();
        Resp filter = client.post("/_matrix/client/v3/user/" + TestClient.seg(guest.text("user_id")) + "/filter", token, body());
        assertThat(filter.status()).isEqualTo(403);
        assertThat(filter.errcode()).isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        String me = TestClient.seg(guest.text("user_id"));
        assertThat(client.put("/_matrix/client/v3/user/" + me + "/account_data/x", token, body()).errcode())
                .isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        assertThat(client.get("/_matrix/client/v3/capabilities", token).errcode()).isEqualTo("M_GUEST_ACCESS_FORBIDDEN");
        assertThat(client.put("/_matrix/client/v3/profile/" + me + "/displayname", token, body("displayname", "Visitor")).status())
                .isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/devices", token).status()).isEqualTo(200);
    }

    @Test
    void loginAcceptsLocalpartsFullIdsAndTheLegacyUserField() {
        server.registerToken("logan");
        assertThat(client.login("logan", "password-logan", null).status()).isEqualTo(200);
        assertThat(client.login("@logan:localhost", "password-logan", null).status()).isEqualTo(200);
        assertThat(client.login("LOGAN", "password-logan", null).status()).isEqualTo(200);
        Resp legacy = client.post("/_matrix/client/v3/login", null,
                body("type", "m.login.password", "user", "logan", "password", "password-logan"));
        assertThat(legacy.status()).isEqualTo(200);
        assertThat(legacy.body().path("well_known").path("m.homeserver").path("base_url").asText()).startsWith("http://127.0.0.1:");

        Resp wrong = client.login("logan", "nope", null);
        assertThat(wrong.status()).isEqualTo(403);
        assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
        Resp unknown = client.login("nobody-here", "nope", null);
        assertThat(unknown.errcode()).isEqualTo("M_FORBIDDEN");
        Resp otherServer = client.login("@logan:elsewhere.org", "password-logan", null);
        assertThat(otherServer.errcode()).isEqualTo("M_FORBIDDEN");
        Resp badType = client.post("/_matrix/client/v3/login", null, body("type", "m.login.magic"));
        assertThat(badType.status()).isEqualTo(400);
        assertThat(badType.errcode()).isEqualTo("M_UNKNOWN");
        assertThat(client.get("/_matrix/client/v3/login", null).body().path("flows").get(0).path("type").asText())
                .isEqualTo("m.login.password");
    }

    @Test
    void reusingADeviceIdKeepsOneDevice() {
        server.registerToken("reuser");
        Resp one = client.login("reuser", "password-reuser", "SAMEDEVICE");
        Resp two = client.login("reuser", "password-reuser", "SAMEDEVICE");
        assertThat(one.text("device_id")).isEqualTo("SAMEDEVICE");
        assertThat(two.text("device_id")).isEqualTo("SAMEDEVICE");
        Resp devices = client.get("/_matrix/client/v3/devices", two.text("access_token"));
        long count = 0;
        for (var d : devices.body().path("devices")) if (d.path("device_id").asText().equals("SAMEDEVICE")) count++;
        assertThat(count).isEqualTo(1);
        assertThat(client.get("/_matrix/client/v3/account/whoami", one.text("access_token")).status()).isEqualTo(200);
    }

    @Test
    void logoutRevokesTheTokenAndDeletesTheDevice() {
        String first = server.registerToken("leaver");
        Resp second = client.login("leaver", "password-leaver", null);
        assertThat(client.post("/_matrix/client/v3/logout", second.text("access_token"), body()).status()).isEqualTo(200);
        Resp dead = client.get("/_matrix/client/v3/account/whoami", second.text("access_token"));
        assertThat(dead.status()).isEqualTo(401);
        assertThat(dead.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.get("/_matrix/client/v3/devices/" + second.text("device_id"), first).status()).isEqualTo(404);
        assertThat(client.get("/_matrix/client/v3/account/whoami", first).status()).isEqualTo(200);

        Resp third = client.login("leaver", "password-leaver", null);
        assertThat(client.post("/_matrix/client/v3/logout/all", third.text("access_token"), body()).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", first).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.get("/_matrix/client/v3/account/whoami", third.text("access_token")).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void passwordChangeNeedsTheOldPasswordAndLogsOutOtherDevices() {
        String keep = server.registerToken("changer");
        String other = client.login("changer", "password-changer", null).text("access_token");
        ObjectNode request = body("new_password", "new-secret");
        Resp challenge = client.post("/_matrix/client/v3/account/password", keep, request);
        assertThat(challenge.status()).isEqualTo(401);
        assertThat(challenge.body().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.password");

        request.putObject("auth").put("type", "m.login.password").put("session", challenge.text("session"))
                .put("password", "wrong").putObject("identifier").put("type", "m.id.user").put("user", "changer");
        Resp wrong = client.post("/_matrix/client/v3/account/password", keep, request);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.errcode()).isEqualTo("M_FORBIDDEN");
        assertThat(wrong.body().has("flows")).isTrue();

        ((ObjectNode) request.get("auth")).put("password", "password-changer");
        assertThat(client.post("/_matrix/client/v3/account/password", keep, request).status()).isEqualTo(200);
        assertThat(client.login("changer", "password-changer", null).status()).isEqualTo(403);
        assertThat(client.login("changer", "new-secret", null).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", keep).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", other).errcode()).isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void devicesCanBeRenamedAndDeletedWithAuth() {
        String token = server.registerToken("gadgets");
        String deviceB = client.login("gadgets", "password-gadgets", "DEVB").text("access_token");
        client.login("gadgets", "password-gadgets", "DEVC");
        assertThat(client.put("/_matrix/client/v3/devices/DEVB", token, body("display_name", "Tablet")).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/devices/DEVB", token).text("display_name")).isEqualTo("Tablet");
        Resp unknown = client.put("/_matrix/client/v3/devices/NOPE", token, body("display_name", "x"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errcode()).isEqualTo("M_NOT_FOUND");

        Resp challenge = client.delete("/_matrix/client/v3/devices/DEVB", token, body());
        assertThat(challenge.status()).isEqualTo(401);
        ObjectNode auth = body();
        auth.putObject("auth").put("type", "m.login.password").put("session", challenge.text("session"))
                .put("password", "password-gadgets").putObject("identifier").put("type", "m.id.user").put("user", "gadgets");
        assertThat(client.delete("/_matrix/client/v3/devices/DEVB", token, auth).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/account/whoami", deviceB).errcode()).isEqualTo("M_UNKNOWN_TOKEN");

        ObjectNode many = body();
        many.putArray("devices").add("DEVC").add("NEVER-EXISTED");
        Resp manyChallenge = client.post("/_matrix/client/v3/delete_devices", token, many);
        many.putObject("auth").put("type", "m.login.password").put("session", manyChallenge.text("session"))
                .put("password", "password-gadgets").put("user", "gadgets");
        assertThat(client.post("/_matrix/client/v3/delete_devices", token, many).status()).isEqualTo(200);
        assertThat(client.get("/_matrix/client/v3/devices/DEVC", token).status()).isEqualTo(404);
        Resp badDevices = client.post("/_matrix/client/v3/delete_devices", token, "{\"devices\": \"DEVC\"}");
        assertThat(badDevices.errcode()).isEqualTo("M_BAD_JSON");
    }

    @Test
    void thirdPartyIdentifiersAreAnsweredClearly() {
        String token = server.registerToken("threepid");
        assertThat(client.get("/_matrix/client/v3/account/3pid", token).body().path("threepids").isEmpty()).isTrue();
        assertThat(client.get("/_matrix/client/v3/account/3pid", token).body().path("threepids").isArray()).isTrue();
        assertThat(client.get("/_matrix/client/v3/account/3pid", null).status()).isEqualTo(401);
        String request = "{\"client_secret\":\"s\",\"email\":\"a@b.example\",\"send_attempt\":1}";
        for (String path : new String[] {"/_matrix/client/v3/register/email/requestToken", "/_matrix/client/v3/account/password/email/requestToken",
                "/_matrix/client/v3/register/msisdn/requestToken"}) {
            Resp r = client.post(path, null, request);
            assertThat(r.status()).as(path).isEqualTo(403);
            assertThat(r.errcode()).as(path).isEqualTo("M_THREEPID_DENIED");
        }
        assertThat(client.post("/_matrix/client/v3/account/3pid/email/requestToken", token, request).errcode()).isEqualTo("M_THREEPID_DENIED");
        assertThat(client.post("/_matrix/client/v3/account/3pid/add", token, "{\"client_secret\":\"s\",\"sid\":\"x\"}").errcode())
                .isEqualTo("M_THREEPID_DENIED");
        Resp delete = client.post("/_matrix/client/v3/account/3pid/delete", token, "{\"medium\":\"email\",\"address\":\"a@b.example\"}");
        assertThat(delete.status()).isEqualTo(200);
        assertThat(delete.text("id_server_unbind_result")).isEqualTo("no-support");
        assertThat(client.post("/_matrix/client/v3/account/3pid/delete", token, "{\"medium\":\"email\"}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.call("POST", "/_matrix/client/v3/account/3pid/unbind", token, null).errcode()).isEqualTo("M_NOT_JSON");
    }
}
