package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

import static org.callhs.complement.harness.Json.obj;

/** Registration (open, closed, token-gated, guests), username checks, password changes, register-user. */
@HomeserverScenario
class AccountLifecycleScenario {

    private static final String PASSWORD = "correct horse battery staple";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, AccountLifecycleScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    // ---- open registration -----------------------------------------------------------------------

    @Test
    void registerWithDummyFlowReturnsTokenForTheRequestedDevice() {
        String localpart = Names.unique("reg");
        Map<String, Object> body = obj("username", localpart, "password", PASSWORD,
                "device_id", "COMPLEMENTDEV", "initial_device_display_name", "complement phone");

        CsResponse challenge = hs().client().post(body, "register");
        CsApiClient.assertUiaChallenge(challenge, "m.login.dummy");

        JsonNode registered = hs().client().registerWithDummyAuth(body).assertOk();
        assertThat(registered.path("user_id").asText()).isEqualTo("@" + localpart + ":" + hs().serverName());
        assertThat(registered.path("access_token").asText()).isNotBlank();
        assertThat(registered.path("device_id").asText()).isEqualTo("COMPLEMENTDEV");

        CsApiClient alice = hs().client().withAccessToken(registered.get("access_token").asText());
        JsonNode whoami = alice.whoami();
        assertThat(whoami.path("user_id").asText()).isEqualTo(registered.get("user_id").asText());
        assertThat(whoami.path("device_id").asText()).isEqualTo("COMPLEMENTDEV");
        assertThat(whoami.path("is_guest").asBoolean(false)).isFalse();
    }

    @Test
    void registerWithInhibitLoginCreatesTheUserButNoSession() {
        String localpart = Names.unique("inhibit");
        JsonNode registered = hs().client()
                .registerWithDummyAuth(obj("username", localpart, "password", PASSWORD, "inhibit_login", true))
                .assertOk();
        assertThat(registered.path("user_id").asText()).isEqualTo("@" + localpart + ":" + hs().serverName());
        assertThat(registered.has("access_token")).as("access_token in %s", registered).isFalse();
        assertThat(registered.has("device_id")).as("device_id in %s", registered).isFalse();

        CsApiClient alice = hs().client().login(localpart, PASSWORD);
        assertThat(alice.whoami().path("user_id").asText()).isEqualTo(registered.get("user_id").asText());
    }

    @Test
    void usernameAvailabilityReportsFreeTakenAndInvalidNames() {
        String localpart = Names.unique("avail");
        JsonNode free = available(localpart).assertOk();
        assertThat(free.path("available").asBoolean()).isTrue();

        hs().client().register(localpart, PASSWORD);
        available(localpart).assertError(400, "M_USER_IN_USE");

        available("bad name!").assertError(400, "M_INVALID_USERNAME");
    }

    private static CsResponse available(String username) {
        return hs().client().request("GET", "register", "available").query("username", username).send();
    }

    @Test
    void registeringATakenUsernameFails() {
        String localpart = Names.unique("taken");
        hs().client().register(localpart, PASSWORD);
        hs().client().registerWithDummyAuth(obj("username", localpart, "password", "another password"))
                .assertError(400, "M_USER_IN_USE");
    }

    @Test
    void registeringAnInvalidUsernameFails() {
        for (String bad : List.of("!", ":", "@", "?", "\"", "é", " ", "[", "\\")) {
            String localpart = "user-" + bad + "-" + Names.random(4);
            hs().client().registerWithDummyAuth(obj("username", localpart, "password", PASSWORD))
                    .assertError(400, "M_INVALID_USERNAME");
        }
    }

    // ---- password changes ------------------------------------------------------------------------

    @Test
    void changingThePasswordLogsOutOtherDevicesByDefault() {
        String localpart = Names.unique("pwchange");
        CsApiClient alice = hs().client().register(localpart, PASSWORD);
        CsApiClient otherDevice = alice.loginAgain();

        alice.withPasswordAuth("POST", obj("new_password", "new secret"), "account", "password").assertOk();

        hs().client().loginRaw(localpart, PASSWORD, null, null).assertError(403, "M_FORBIDDEN");
        hs().client().login(localpart, "new secret");
        alice.whoami(); // the token that made the request stays valid
        otherDevice.get("account", "whoami").assertError(401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void changingThePasswordCanKeepOtherDevices() {
        String localpart = Names.unique("pwkeep");
        CsApiClient alice = hs().client().register(localpart, PASSWORD);
        CsApiClient otherDevice = alice.loginAgain();

        alice.withPasswordAuth("POST", obj("new_password", "new secret", "logout_devices", false),
                "account", "password").assertOk();

        otherDevice.whoami();
        hs().client().login(localpart, "new secret");
    }

    @Test
    void changingThePasswordNeedsTheOldPassword() {
        String localpart = Names.unique("pwwrong");
        CsApiClient alice = hs().client().register(localpart, PASSWORD);

        CsResponse challenge = alice.post(obj("new_password", "new secret"), "account", "password");
        CsApiClient.assertUiaChallenge(challenge, "m.login.password");
        Map<String, Object> auth = alice.withPassword("not the password").passwordAuth(challenge.json().get("session").asText());
        alice.post(obj("new_password", "new secret", "auth", auth), "account", "password")
                .assertError(401, "M_FORBIDDEN");

        hs().client().login(localpart, PASSWORD);
        hs().client().loginRaw(localpart, "new secret", null, null).assertError(403, "M_FORBIDDEN");
    }

    // ---- guests ------------------------------------------------------------------------------------

    @Test
    void guestsGetATokenButNotTheWholeApi() {
        deployment.requireProcessControl("relies on guest access being enabled (registration.allow_guests=true)");
        CsApiClient guest = hs().client().registerGuest();
        JsonNode whoami = guest.whoami();
        assertThat(whoami.path("user_id").asText()).isEqualTo(guest.userId());
        assertThat(whoami.path("is_guest").asBoolean()).as("is_guest in %s", whoami).isTrue();

        guest.post(obj("room", obj("timeline", obj("limit", 5))), "user", guest.userId(), "filter")
                .assertError(403, "M_GUEST_ACCESS_FORBIDDEN");
        guest.put(obj("displayname", "Guesty"), "profile", guest.userId(), "displayname").assertOk();
    }

    @Test
    void guestRegistrationIsRefusedWhenGuestsAreDisabled() {
        HomeserverOptions noGuests = HomeserverOptions.defaults().set("registration.allow_guests", "false");
        try (Deployment d = Deployment.start(backend, "AccountLifecycleScenario-noGuests", noGuests)) {
            CsResponse r = d.hs1().client().request("POST", "register").query("kind", "guest").json(obj()).send();
            r.assertStatus(403);
            assertThat(r.errcode()).isIn("M_FORBIDDEN", "M_GUEST_ACCESS_FORBIDDEN");
            d.hs1().client().register(Names.unique("member"), PASSWORD);
        }
    }

    // ---- closed and token-gated registration --------------------------------------------------------

    @Test
    void closedRegistrationIsForbiddenButRegisterUserStillWorks() {
        try (Deployment d = Deployment.start(backend, "AccountLifecycleScenario-closed",
                HomeserverOptions.defaults().withoutRegistration())) {
            CsApiClient anon = d.hs1().client();
            String localpart = Names.unique("closed");
            anon.post(obj("username", localpart, "password", PASSWORD), "register").assertError(403, "M_FORBIDDEN");
            anon.post(obj("username", localpart, "password", PASSWORD, "auth", obj("type", "m.login.dummy")), "register")
                    .assertError(403, "M_FORBIDDEN");
            anon.request("POST", "register").query("kind", "guest").json(obj()).send().assertStatus(403);

            HomeserverProcess.CommandResult created = d.process1().registerUserViaCli(localpart, PASSWORD, false);
            assertThat(created.exitCode()).as("register-user output:\n%s", created.output()).isZero();
            CsApiClient alice = anon.login(localpart, PASSWORD);
            assertThat(alice.userId()).isEqualTo("@" + localpart + ":" + d.hs1().serverName());
        }
    }

    @Test
    void tokenGatedRegistrationNeedsAValidToken() {
        String token = "tok" + Names.random(10);
        HomeserverOptions options = HomeserverOptions.defaults()
                .set("registration.require_token", "true")
                .set("registration.tokens", "[" + token + "]");
        try (Deployment d = Deployment.start(backend, "AccountLifecycleScenario-token", options)) {
            CsApiClient anon = d.hs1().client();
            String localpart = Names.unique("tokened");
            Map<String, Object> body = obj("username", localpart, "password", PASSWORD);

            CsResponse challenge = anon.post(body, "register");
            CsApiClient.assertUiaChallenge(challenge, "m.login.registration_token");
            for (JsonNode flow : challenge.json().get("flows")) {
                assertThat(stages(flow)).as("every flow needs the token: %s", challenge.describe())
                        .contains("m.login.registration_token");
            }

            JsonNode valid = anon.requestAt("GET", "_matrix", "client", "v1", "register",
                    "m.login.registration_token", "validity").query("token", token).send().assertOk();
            assertThat(valid.path("valid").asBoolean()).isTrue();
            JsonNode invalid = anon.requestAt("GET", "_matrix", "client", "v1", "register",
                    "m.login.registration_token", "validity").query("token", "nope").send().assertOk();
            assertThat(invalid.path("valid").asBoolean(true)).isFalse();

            // The spec only asks for "the standard errcode" here (its example says M_FORBIDDEN, Synapse M_UNAUTHORIZED).
            CsResponse refused = anon.registerWithAuth(body, obj("type", "m.login.registration_token", "token", "wrong-token"));
            CsApiClient.assertUiaChallenge(refused, "m.login.registration_token");
            assertThat(refused.errcode()).as("errcode of %s", refused.describe()).isIn("M_FORBIDDEN", "M_UNAUTHORIZED");
            assertThat(refused.json().has("access_token")).isFalse();
            assertThat(anon.request("GET", "register", "available").query("username", localpart).send().status())
                    .as("a refused registration must not create the user").isEqualTo(200);

            JsonNode registered = completeRegistration(anon, body, token).assertOk();
            assertThat(registered.path("user_id").asText()).isEqualTo("@" + localpart + ":" + d.hs1().serverName());
            anon.withAccessToken(registered.get("access_token").asText()).whoami();
        }
    }

    /** Walks the first flow containing the token stage, answering token and dummy stages. */
    private static CsResponse completeRegistration(CsApiClient anon, Map<String, Object> body, String token) {
        CsResponse r = anon.post(body, "register");
        List<String> flow = null;
        for (JsonNode f : r.json().path("flows")) {
            if (stages(f).contains("m.login.registration_token")) { flow = stages(f); break; }
        }
        assertThat(flow).as("a flow with m.login.registration_token in %s", r.describe()).isNotNull();
        String session = r.json().path("session").asText();
        for (int step = 0; step < flow.size() && r.status() == 401; step++) {
            List<String> completed = new ArrayList<>();
            r.json().path("completed").forEach(c -> completed.add(c.asText()));
            String next = flow.stream().filter(s -> !completed.contains(s)).findFirst().orElseThrow();
            Map<String, Object> auth = switch (next) {
                case "m.login.registration_token" -> obj("type", next, "token", token, "session", session);
                case "m.login.dummy" -> obj("type", next, "session", session);
                default -> throw new AssertionError("cannot complete stage " + next + " of " + flow);
            };
            Map<String, Object> withAuth = new LinkedHashMap<>(body);
            withAuth.put("auth", auth);
            r = anon.post(withAuth, "register");
        }
        return r;
    }

    private static List<String> stages(JsonNode flow) {
        List<String> out = new ArrayList<>();
        flow.path("stages").forEach(s -> out.add(s.asText()));
        return out;
    }

    // ---- register-user command ------------------------------------------------------------------------

    @Test
    void registerUserCommandCreatesUsersWhoCanLogIn() {
        HomeserverProcess server = deployment.process1();
        String localpart = Names.unique("cli");
        HomeserverProcess.CommandResult created = server.registerUserViaCli(localpart, PASSWORD, false);
        assertThat(created.exitCode()).as("register-user output:\n%s", created.output()).isZero();
        CsApiClient alice = server.client().login(localpart, PASSWORD);
        assertThat(alice.whoami().path("user_id").asText()).isEqualTo("@" + localpart + ":" + server.serverName());

        HomeserverProcess.CommandResult again = server.registerUserViaCli(localpart, "other", false);
        assertThat(again.exitCode()).as("register-user of an existing user:\n%s", again.output()).isNotZero();
        assertThat(again.output()).as("register-user should say why it failed").isNotBlank();
        server.client().login(localpart, PASSWORD);

        String admin = Names.unique("admin");
        HomeserverProcess.CommandResult adminCreated = server.registerUserViaCli(admin, PASSWORD, true);
        assertThat(adminCreated.exitCode()).as("register-user --admin output:\n%s", adminCreated.output()).isZero();
        server.client().login(admin, PASSWORD);
    }
}
