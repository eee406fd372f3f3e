package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverScenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The built-in LiveKit token service across servers, as processes: both servers run it (an SFU
 * that is not there: no room is ever created in this scenario), and a user of the second server
 * asks the first for a token with an OpenID token of its own server, which the first checks
 * through the second's {@code /_matrix/federation/v1/openid/userinfo} over signed federation.
 * A user of another server gets a token only (no room creation, no delegated leave); forged
 * tokens and claims are refused; a local user whose room cannot be created on the SFU gets 502.
 * The module's own suite covers the service against a real LiveKit.
 */
@HomeserverScenario
class LiveKitServiceScenario {

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, "LiveKitServiceScenario", 2, FederationScenario.federating()
                .set("rtc.livekit.url", "\"ws://127.0.0.1:9\"")
                .set("rtc.livekit.key", "\"callhs\"")
                .set("rtc.livekit.secret", "\"" + "k".repeat(40) + "\""));
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Map<String, Object> openId(CsApiClient user) {
        JsonNode token = user.post(obj(), "user", user.userId(), "openid", "request_token").assertOk();
        Map<String, Object> out = new LinkedHashMap<>();
        token.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue() : e.getValue().asText()));
        return out;
    }

    private static Map<String, Object> tokenRequest(CsApiClient user, Map<String, Object> openId, String claimedUser) {
        return obj("room_id", "!call:" + deployment.hs1().serverName(), "slot_id", "m.call#ROOM", "openid_token", openId,
                "member", obj("id", "member-1", "claimed_user_id", claimedUser, "claimed_device_id", user.deviceId()));
    }

    private static CsResponse getToken(Object body) {
        return deployment.process(1).client().anonymous().requestAt("POST", "livekit", "jwt", "get_token").noAuth().json(body).send();
    }

    @Test
    void aUserOfTheOtherServerIsCheckedThroughItsServerAndGetsATokenOnly() {
        CsApiClient bob = FederationChecks.user(deployment.process(2).client(), "lkbob");
        JsonNode answer = getToken(tokenRequest(bob, openId(bob), bob.userId())).assertOk();
        assertThat(answer.path("url").asText()).isEqualTo("ws://127.0.0.1:9");
        String[] parts = answer.path("jwt").asText().split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode claims = readTree(java.util.Base64.getUrlDecoder().decode(parts[1]));
        assertThat(claims.path("video").path("roomJoin").asBoolean()).isTrue();
        assertThat(claims.path("iss").asText()).isEqualTo("callhs");

        Map<String, Object> delegated = new LinkedHashMap<>(tokenRequest(bob, openId(bob), bob.userId()));
        delegated.put("delay_id", "syd_abc");
        delegated.put("delay_timeout", 10_000);
        getToken(delegated).assertError(400, "M_BAD_JSON");
    }

    private static JsonNode readTree(byte[] json) {
        try {
            return org.callhs.complement.harness.Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void forgedTokensAndForeignClaimsAreUnauthorized() {
        CsApiClient bob = FederationChecks.user(deployment.process(2).client(), "lkbob");
        CsApiClient carol = FederationChecks.user(deployment.process(2).client(), "lkcarol");
        Map<String, Object> forged = new LinkedHashMap<>(openId(bob));
        forged.put("access_token", "not-a-token-of-the-second-server");
        getToken(tokenRequest(bob, forged, bob.userId())).assertError(401, "M_UNAUTHORIZED");
        getToken(tokenRequest(bob, openId(bob), carol.userId())).assertError(401, "M_UNAUTHORIZED");
        Map<String, Object> elsewhere = new LinkedHashMap<>(openId(bob));
        elsewhere.put("matrix_server_name", deployment.hs1().serverName());
        getToken(tokenRequest(bob, elsewhere, bob.userId())).assertError(401, "M_UNAUTHORIZED");
    }

    @Test
    void aLocalUserWhoseRoomCannotBeCreatedGets502() {
        CsApiClient alice = FederationChecks.user(deployment.process(1).client(), "lkalice");
        getToken(tokenRequest(alice, openId(alice), alice.userId())).assertError(502, "M_UNKNOWN");
    }
}
