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
 * A delayed leave handed over survives a restart of its server: LiveKit's webhook (signed here
 * as LiveKit signs it) then still sends it at once. The module's own suite covers the service
 * against a real LiveKit.
 */
@HomeserverScenario
class LiveKitServiceScenario {
    private static final String SECRET = "k".repeat(40);

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, "LiveKitServiceScenario", 2, FederationScenario.federating()
                .set("rtc.livekit.url", "\"ws://127.0.0.1:9\"")
                .set("rtc.livekit.key", "\"callhs\"")
                .set("rtc.livekit.secret", "\"" + SECRET + "\""));
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

    /** A webhook body signed as LiveKit signs it: an HS256 JWT with the body's SHA-256, bare in {@code Authorization}. */
    private static CsResponse webhook(String event, String room, String identity, String reason) throws Exception {
        String participant = "{\"identity\":\"" + identity + "\"" + (reason == null ? "" : ",\"disconnectReason\":\"" + reason + "\"") + "}";
        byte[] body = ("{\"event\":\"" + event + "\",\"room\":{\"name\":\"" + room + "\"},\"participant\":" + participant + "}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String sha = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        long now = System.currentTimeMillis() / 1000;
        java.util.Base64.Encoder url = java.util.Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + "."
                + url.encodeToString(("{\"iss\":\"callhs\",\"nbf\":" + now + ",\"exp\":" + (now + 300) + ",\"sha256\":\"" + sha + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        String jwt = signingInput + "." + url.encodeToString(mac.doFinal(signingInput.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        return deployment.process(1).client().anonymous().requestAt("POST", "livekit", "jwt", "sfu_webhook").noAuth()
                .header("Authorization", jwt).body(body, "application/webhook+json").send();
    }

    @Test
    void aHandedOverLeaveSurvivesARestartAndTheWebhookStillSendsIt() throws Exception {
        CsApiClient alice = FederationChecks.user(deployment.process(1).client(), "lkalice");
        String roomId = org.callhs.complement.harness.Rooms.create(alice, Map.of("preset", "public_chat"));
        String stateKey = "_" + alice.userId() + "_" + alice.deviceId() + "_m.call";
        String delayId = alice.request("PUT", "rooms", roomId, "state", "org.matrix.msc3401.call.member", stateKey)
                .query("org.matrix.msc4140.delay", "120000").json(obj()).send().assertOk().path("delay_id").asText();
        Map<String, Object> handOver = new LinkedHashMap<>(tokenRequest(alice, openId(alice), alice.userId()));
        handOver.put("room_id", roomId);
        handOver.put("delay_id", delayId);
        handOver.put("delay_timeout", 120_000);
        deployment.process(1).client().anonymous().requestAt("POST", "livekit", "jwt", "delegate_delayed_leave").noAuth().json(handOver)
                .send().assertOk();

        deployment.process(1).stop();
        deployment.process(1).start();

        String room = liveKitName("[\"" + roomId + "\",\"m.call#ROOM\"]");
        String identity = liveKitName("[\"" + alice.userId() + "\",\"" + alice.deviceId() + "\",\"member-1\"]");
        webhook("participant_joined", room, identity, null).assertOk();
        long sent = System.nanoTime();
        webhook("participant_left", room, identity, "CONNECTION_TIMEOUT").assertOk();
        while (true) {
            CsResponse state = alice.get("rooms", roomId, "state", "org.matrix.msc3401.call.member", stateKey);
            if (state.status() == 200 && state.json().isEmpty()) break;
            assertThat(System.nanoTime() - sent).as("the leave follows the webhook, not the 2-minute delay")
                    .isLessThan(java.time.Duration.ofSeconds(5).toNanos());
            Thread.sleep(50);
        }
    }

    /** LiveKit names as lk-jwt-service derives them, for IDs without characters JSON escapes. */
    private static String liveKitName(String jsonArray) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(jsonArray.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.Base64.getEncoder().withoutPadding().encodeToString(digest);
    }
}
