package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** Closed registration, guests switched off, and registration tokens. */
class RegistrationPolicyTest {
    @Test
    void closedRegistrationIsForbidden() {
        try (TestServer server = TestServer.start(Backend.SQLITE, "registration.enabled=false")) {
            Resp r = server.client().post("/_matrix/client/v3/register", null, Json.object().put("username", "x").put("password", "p"));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errcode()).isEqualTo("M_FORBIDDEN");
            assertThat(server.client().post("/_matrix/client/v3/register?kind=guest", null, Json.object()).status()).isEqualTo(403);
            assertThat(server.client().get("/_matrix/client/v3/register/available?username=x", null).status()).isEqualTo(403);
        }
    }

    @Test
    void guestsCanBeTurnedOffAlone() {
        try (TestServer server = TestServer.start(Backend.SQLITE, "registration.allow_guests=false")) {
            Resp r = server.client().post("/_matrix/client/v3/register?kind=guest", null, Json.object());
            assertThat(r.status()).isEqualTo(403);
            assertThat(server.client().register("normal", "pw").status()).isEqualTo(200);
        }
    }

    @Test
    void registrationTokensAreAStage() {
        try (TestServer server = TestServer.start(Backend.SQLITE, "registration.require_token=true", "registration.tokens=[letmein]")) {
            ObjectNode body = Json.object().put("username", "tokened").put("password", "pw");
            Resp challenge = server.client().post("/_matrix/client/v3/register", null, body);
            assertThat(challenge.body().path("flows").get(0).path("stages").get(0).asText()).isEqualTo("m.login.registration_token");
            body.putObject("auth").put("type", "m.login.dummy").put("session", challenge.text("session"));
            assertThat(server.client().post("/_matrix/client/v3/register", null, body).status()).isEqualTo(401);
            body.putObject("auth").put("type", "m.login.registration_token").put("token", "wrong").put("session", challenge.text("session"));
            Resp wrong = server.client().post("/_matrix/client/v3/register", null, body);
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.errcode()).isEqualTo("M_UNAUTHORIZED");
            body.putObject("auth").put("type", "m.login.registration_token").put("token", "letmein").put("session", challenge.text("session"));
            assertThat(server.client().post("/_matrix/client/v3/register", null, body).status()).isEqualTo(200);
            String validity = "/_matrix/client/v1/register/m.login.registration_token/validity?token=";
            assertThat(server.client().get(validity + "letmein", null).body().path("valid").asBoolean()).isTrue();
            assertThat(server.client().get(validity + "nope", null).body().path("valid").asBoolean()).isFalse();
            assertThat(server.client().get(validity.substring(0, validity.indexOf('?')), null).errcode()).isEqualTo("M_MISSING_PARAM");
        }
    }
}
