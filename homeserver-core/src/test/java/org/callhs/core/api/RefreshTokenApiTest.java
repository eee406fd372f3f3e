package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.callhs.core.testing.AdjustableClock;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Refresh tokens: issue on login and registration, {@code POST /refresh}, rotation and expiry, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class RefreshTokenApiTest {
    private static final AdjustableClock CLOCK = new AdjustableClock();
    private static TestServer enabled;
    private static TestServer disabled;

    @org.junit.jupiter.params.Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) {
        enabled = TestServer.start(backend, List.of(), CLOCK, "refresh_tokens.enabled=true",
                "refresh_tokens.access_token_lifetime_seconds=60", "refresh_tokens.refresh_token_lifetime_seconds=3600");
        disabled = TestServer.start(backend);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        enabled.close();
        disabled.close();
    }

    private static Resp whoami(TestClient client, String token) {
        return client.get("/_matrix/client/v3/account/whoami", token);
    }

    private static Resp refresh(TestClient client, String refreshToken) {
        return client.post("/_matrix/client/v3/refresh", null, "{\"refresh_token\":\"" + refreshToken + "\"}");
    }

    private static Resp login(TestClient client, String user, boolean refreshToken) {
        return client.post("/_matrix/client/v3/login", null, "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\","
                + "\"user\":\"" + user + "\"},\"password\":\"secret-pass\",\"refresh_token\":" + refreshToken + "}");
    }

    @Test
    void aRefreshTokenRotatesThePairAndTheOldOneDiesWhenTheNewOneIsUsed() {
        TestClient client = enabled.client();
        assertThat(client.register("rt_alice", "secret-pass").status()).isEqualTo(200);
        Resp first = login(client, "rt_alice", true);
        assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
        assertThat(first.body().path("expires_in_ms").asLong()).isEqualTo(60_000);
        String access1 = first.text("access_token");
        String refresh1 = first.text("refresh_token");
        assertThat(refresh1).isNotBlank();
        assertThat(whoami(client, access1).status()).isEqualTo(200);
        String roomId = client.post("/_matrix/client/v3/createRoom", access1, "{}").text("room_id");
        String sendPath = "/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/send/m.room.message/same-txn";
        String sent = client.put(sendPath, access1, "{\"msgtype\":\"m.text\",\"body\":\"once\"}").text("event_id");
        assertThat(sent).startsWith("$");

        Resp second = refresh(client, refresh1);
        assertThat(second.status()).as(second.body().toString()).isEqualTo(200);
        String access2 = second.text("access_token");
        String refresh2 = second.text("refresh_token");
        assertThat(second.body().path("expires_in_ms").asLong()).isEqualTo(60_000);
        assertThat(access2).isNotEqualTo(access1);
        assertThat(refresh2).isNotEqualTo(refresh1);
        assertThat(whoami(client, access1).status()).as("the old pair works until the new one is used").isEqualTo(200);

        Resp retried = refresh(client, refresh1);
        assertThat(retried.status()).as("a lost answer can be retried").isEqualTo(200);
        assertThat(whoami(client, access2).errcode()).as("the retry drops the unused pair").isEqualTo("M_UNKNOWN_TOKEN");
        String access3 = retried.text("access_token");
        String refresh3 = retried.text("refresh_token");

        JsonNode me = whoami(client, access3).body();
        assertThat(me.path("device_id").asText()).as("the same device").isEqualTo(first.text("device_id"));
        Resp oldAccess = whoami(client, access1);
        assertThat(oldAccess.errcode()).as("the new pair's first use ends the old one").isEqualTo("M_UNKNOWN_TOKEN");
        Resp reused = refresh(client, refresh1);
        assertThat(reused.status()).isEqualTo(401);
        assertThat(reused.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(reused.body().path("soft_logout").asBoolean()).isTrue();
        assertThat(client.put(sendPath, access3, "{\"msgtype\":\"m.text\",\"body\":\"once\"}").text("event_id"))
                .as("transaction IDs stay the device's: a retry after rotation is the same event").isEqualTo(sent);

        CLOCK.advance(61_000);
        Resp expired = whoami(client, access3);
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(expired.body().path("soft_logout").asBoolean()).as("an expired token is a soft logout").isTrue();
        Resp renewed = refresh(client, refresh3);
        assertThat(renewed.status()).isEqualTo(200);
        assertThat(whoami(client, renewed.text("access_token")).status()).isEqualTo(200);

        CLOCK.advance(3_601_000);
        assertThat(refresh(client, renewed.text("refresh_token")).body().path("soft_logout").asBoolean())
                .as("an expired refresh token").isTrue();

        Resp plain = login(client, "rt_alice", false);
        assertThat(plain.body().has("refresh_token")).isFalse();
        assertThat(plain.body().has("expires_in_ms")).isFalse();
        CLOCK.advance(10 * 3_600_000L);
        assertThat(whoami(client, plain.text("access_token")).status()).as("tokens without refresh never expire").isEqualTo(200);
    }

    @Test
    void registrationGivesOneAndLogoutEndsIt() {
        TestClient client = enabled.client();
        Resp first = client.post("/_matrix/client/v3/register", null, "{\"username\":\"rt_bob\",\"password\":\"secret-pass\","
                + "\"refresh_token\":true}");
        Resp registered = client.post("/_matrix/client/v3/register", null, "{\"username\":\"rt_bob\",\"password\":\"secret-pass\","
                + "\"refresh_token\":true,\"auth\":{\"type\":\"m.login.dummy\",\"session\":\"" + first.text("session") + "\"}}");
        assertThat(registered.status()).as(registered.body().toString()).isEqualTo(200);
        String refreshToken = registered.text("refresh_token");
        assertThat(refreshToken).isNotBlank();
        assertThat(client.post("/_matrix/client/v3/logout", registered.text("access_token"), "{}").status()).isEqualTo(200);
        assertThat(refresh(client, refreshToken).errcode()).as("logging out deletes the device's refresh tokens").isEqualTo("M_UNKNOWN_TOKEN");
    }

    @Test
    void whenDisabledNoRefreshTokenIsGivenAndBadRequestsAreRefused() {
        TestClient client = disabled.client();
        assertThat(client.register("rt_carol", "secret-pass").status()).isEqualTo(200);
        Resp login = login(client, "rt_carol", true);
        assertThat(login.status()).isEqualTo(200);
        assertThat(login.body().has("refresh_token")).isFalse();
        assertThat(login.body().has("expires_in_ms")).isFalse();
        assertThat(refresh(client, "chr_nonsense").errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        assertThat(client.post("/_matrix/client/v3/refresh", null, "{}").errcode()).isEqualTo("M_MISSING_PARAM");
        assertThat(client.post("/_matrix/client/v3/refresh", null, "{\"refresh_token\":5}").errcode()).isEqualTo("M_BAD_JSON");
        assertThat(client.post("/_matrix/client/v3/refresh", null, null).errcode()).isEqualTo("M_NOT_JSON");
        Resp badFlag = client.post("/_matrix/client/v3/login", null, "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\","
                + "\"user\":\"rt_carol\"},\"password\":\"secret-pass\",\"refresh_token\":\"yes\"}");
        assertThat(badFlag.errcode()).isEqualTo("M_BAD_JSON");
    }
}
