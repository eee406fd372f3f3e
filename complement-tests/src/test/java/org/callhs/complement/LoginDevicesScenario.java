package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/** Password login, device IDs and names, device deletion with user-interactive auth, logout. */
@HomeserverScenario
class LoginDevicesScenario {

    private static final String PASSWORD = "s3cret-p4ss";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, LoginDevicesScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    private static CsApiClient newUser(String prefix) {
        return hs().client().register(Names.unique(prefix), PASSWORD);
    }

    @Test
    void loginFlowsIncludePassword() {
        JsonNode flows = hs().client().get("login").assertOk().path("flows");
        List<String> types = new ArrayList<>();
        flows.forEach(f -> types.add(f.path("type").asText()));
        assertThat(types).contains("m.login.password");
    }

    @Test
    void loginWorksWithLocalpartAndWithFullUserId() {
        CsApiClient alice = newUser("login");
        String localpart = alice.userId().substring(1, alice.userId().indexOf(':'));

        CsApiClient byLocalpart = hs().client().login(localpart, PASSWORD);
        CsApiClient byUserId = hs().client().login(alice.userId(), PASSWORD);

        for (CsApiClient session : List.of(byLocalpart, byUserId)) {
            assertThat(session.userId()).isEqualTo(alice.userId());
            assertThat(session.deviceId()).isNotBlank();
            JsonNode whoami = session.whoami();
            assertThat(whoami.path("user_id").asText()).isEqualTo(alice.userId());
            assertThat(whoami.path("device_id").asText()).isEqualTo(session.deviceId());
        }
        assertThat(byLocalpart.deviceId()).isNotEqualTo(byUserId.deviceId());
        assertThat(byLocalpart.accessToken()).isNotEqualTo(byUserId.accessToken());
    }

    @Test
    void wrongPasswordAndUnknownUserAreForbidden() {
        CsApiClient alice = newUser("wrongpw");
        hs().client().loginRaw(alice.userId(), "not-" + PASSWORD, null, null).assertError(403, "M_FORBIDDEN");
        hs().client().loginRaw(Names.unique("nobody"), PASSWORD, null, null).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void loggingInAgainWithTheSameDeviceIdReusesTheDevice() {
        CsApiClient alice = newUser("reuse");
        CsApiClient first = hs().client().login(alice.userId(), PASSWORD, "REUSEDDEVICE", "first name");
        CsApiClient second = hs().client().login(alice.userId(), PASSWORD, "REUSEDDEVICE", "second name");
        assertThat(first.deviceId()).isEqualTo("REUSEDDEVICE");
        assertThat(second.deviceId()).isEqualTo("REUSEDDEVICE");
        second.whoami();

        List<JsonNode> reused = new ArrayList<>();
        alice.get("devices").assertOk().path("devices").forEach(d -> {
            if ("REUSEDDEVICE".equals(d.path("device_id").asText())) reused.add(d);
        });
        assertThat(reused).as("REUSEDDEVICE in GET /devices").hasSize(1);
        assertThat(reused.get(0).path("display_name").asText())
                .as("initial_device_display_name is ignored for a known device").isEqualTo("first name");
    }

    @Test
    void devicesCanBeNamedAtLoginAndRenamed() {
        CsApiClient alice = newUser("names");
        CsApiClient phone = alice.login(alice.userId(), PASSWORD, null, "Alice's phone");

        JsonNode device = alice.get("devices", phone.deviceId()).assertOk();
        assertThat(device.path("device_id").asText()).isEqualTo(phone.deviceId());
        assertThat(device.path("display_name").asText()).isEqualTo("Alice's phone");

        alice.put(obj("display_name", "Renamed ☎"), "devices", phone.deviceId()).assertOk();
        assertThat(alice.get("devices", phone.deviceId()).assertOk().path("display_name").asText()).isEqualTo("Renamed ☎");

        alice.put(obj(), "devices", phone.deviceId()).assertOk();
        assertThat(alice.get("devices", phone.deviceId()).assertOk().path("display_name").asText())
                .as("a PUT without display_name leaves it unchanged").isEqualTo("Renamed ☎");

        List<String> listed = new ArrayList<>();
        alice.get("devices").assertOk().path("devices").forEach(d -> listed.add(d.path("device_id").asText()));
        assertThat(listed).contains(alice.deviceId(), phone.deviceId());
    }

    @Test
    void unknownAndOtherUsersDevicesAreNotFound() {
        CsApiClient alice = newUser("unknowndev");
        CsApiClient bob = newUser("bobdev");
        alice.get("devices", "NOSUCHDEVICE").assertError(404, "M_NOT_FOUND");
        alice.put(obj("display_name", "x"), "devices", "NOSUCHDEVICE").assertStatus(404);
        alice.get("devices", bob.deviceId()).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void deletingADeviceNeedsUserInteractiveAuth() {
        CsApiClient alice = newUser("deldev");
        CsApiClient laptop = alice.loginAgain();

        CsResponse challenge = alice.delete(obj(), "devices", laptop.deviceId());
        CsApiClient.assertUiaChallenge(challenge, "m.login.password");
        laptop.whoami();

        String session = challenge.json().get("session").asText();
        alice.delete(obj("auth", alice.withPassword("wrong").passwordAuth(session)), "devices", laptop.deviceId())
                .assertError(401, "M_FORBIDDEN");
        laptop.whoami();

        alice.withPasswordAuth("DELETE", obj(), "devices", laptop.deviceId()).assertOk();
        laptop.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
        alice.get("devices", laptop.deviceId()).assertError(404, "M_NOT_FOUND");
        assertThat(deviceIds(alice)).containsExactly(alice.deviceId());
    }

    @Test
    void deleteDevicesRemovesSeveralAtOnce() {
        CsApiClient alice = newUser("bulkdel");
        CsApiClient b = alice.loginAgain();
        CsApiClient c = alice.loginAgain();

        alice.withPasswordAuth("POST", obj("devices", List.of(b.deviceId(), c.deviceId())), "delete_devices").assertOk();

        b.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
        c.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
        alice.whoami();
        assertThat(deviceIds(alice)).containsExactly(alice.deviceId());
    }

    @Test
    void logoutEndsOnlyThatSession() {
        CsApiClient alice = newUser("logout");
        CsApiClient other = alice.loginAgain();

        other.post(null, "logout").assertOk();
        other.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
        alice.whoami();
        assertThat(deviceIds(alice)).as("logout also deletes the device").doesNotContain(other.deviceId());
    }

    @Test
    void logoutAllEndsEverySession() {
        CsApiClient alice = newUser("logoutall");
        CsApiClient b = alice.loginAgain();
        CsApiClient c = alice.loginAgain();

        c.post(obj(), "logout", "all").assertOk();
        for (CsApiClient session : List.of(alice, b, c)) {
            session.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
        }
        CsApiClient fresh = alice.loginAgain();
        assertThat(deviceIds(fresh)).containsExactly(fresh.deviceId());
    }

    private static List<String> deviceIds(CsApiClient client) {
        List<String> ids = new ArrayList<>();
        client.get("devices").assertOk().path("devices").forEach(d -> ids.add(d.path("device_id").asText()));
        return ids;
    }
}
