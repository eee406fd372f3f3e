package org.callhs.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.callhs.delayed.DelayedEventsModule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The built-in LiveKit token service against a real LiveKit SFU on loopback, on each backend:
 * tokens, room creation, bad input, and delayed leaves watched through signed webhooks (signed
 * here as LiveKit signs them; the Element Call scenario has LiveKit send its own).
 */
@ParameterizedClass
@EnumSource(Backend.class)
class LiveKitServiceTest {
    private static final String SERVICE = LiveKitService.PATH;
    private static final String CALL_MEMBER = "org.matrix.msc3401.call.member";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static TestServer server;
    private static TestClient client;
    private static LiveKitProcess livekit;
    private static int livekitPort;

    @Parameter
    Backend backend;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        livekitPort = LiveKitProcess.freePort();
        server = TestServer.start(backend, List.of(new MatrixRtcModule(), new DelayedEventsModule()),
                "rtc.livekit.url=\"ws://127.0.0.1:" + livekitPort + "\"",
                "rtc.livekit.key=\"" + LiveKitProcess.KEY + "\"",
                "rtc.livekit.secret=\"" + LiveKitProcess.SECRET + "\"",
                "rtc.transports=[{\"type\": \"livekit\", \"livekit_service_url\": \"https://other.example.org\"}]",
                "public_baseurl=\"https://matrix.example.org/\"", "http.max_body_bytes=65536");
        client = server.client();
        livekit = LiveKitProcess.start(livekitPort, base() + SERVICE + "/sfu_webhook");
    }

    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        if (livekit != null) livekit.close();
        if (server != null) server.close();
    }

    static String base() { return "http://127.0.0.1:" + server.homeserver().clientPort(); }

    /** A registered user: access token, user ID and a fresh OpenID token. */
    private record User(String token, String userId) {
        ObjectNode openId() {
            Resp r = client.post("/_matrix/client/v3/user/" + TestClient.seg(userId) + "/openid/request_token", token, "{}");
            assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
            return (ObjectNode) r.body();
        }
    }

    private static User user(String name) {
        String token = server.registerToken(name + NEXT.incrementAndGet());
        return new User(token, client.get("/_matrix/client/v3/account/whoami", token).text("user_id"));
    }

    private static String room(User owner) {
        return client.post("/_matrix/client/v3/createRoom", owner.token(), "{}").text("room_id");
    }

    private static ObjectNode tokenRequest(User user, String roomId, String device, String memberId) {
        ObjectNode body = Json.object().put("room_id", roomId).put("slot_id", "m.call#ROOM");
        body.set("openid_token", user.openId());
        body.putObject("member").put("id", memberId).put("claimed_user_id", user.userId()).put("claimed_device_id", device);
        return body;
    }

    private static Resp post(String path, Object body) {
        return client.post(SERVICE + path, null, body);
    }

    private static JWTClaimsSet verifiedClaims(String jwt) throws Exception {
        SignedJWT parsed = SignedJWT.parse(jwt);
        assertThat(parsed.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(parsed.verify(new MACVerifier(LiveKitProcess.SECRET.getBytes(StandardCharsets.UTF_8)))).isTrue();
        return parsed.getJWTClaimsSet();
    }

    /** LiveKit's room list, through its Twirp API with a token of our own. */
    private static JsonNode liveKitRooms() throws Exception {
        String token = sign(new JWTClaimsSet.Builder().issuer(LiveKitProcess.KEY).expirationTime(new Date(System.currentTimeMillis() + 60_000))
                .claim("video", Map.of("roomList", true)).build());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(livekit.httpUrl() + "/twirp/livekit.RoomService/ListRooms"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).path("rooms");
    }

    private static String sign(JWTClaimsSet claims) throws Exception {
        return sign(claims, LiveKitProcess.SECRET);
    }

    private static String sign(JWTClaimsSet claims, String secret) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    /** A webhook as LiveKit sends it: the bare JWT in Authorization, carrying the body's SHA-256. */
    private static HttpResponse<String> webhook(String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + SERVICE + "/sfu_webhook")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/webhook+json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) request.header("Authorization", authorization);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String signature(String body, String secret) throws Exception {
        String sha = Base64.getEncoder().encodeToString(LiveKitTokens.sha256(body.getBytes(StandardCharsets.UTF_8)));
        long now = System.currentTimeMillis();
        return sign(new JWTClaimsSet.Builder().issuer(LiveKitProcess.KEY).issueTime(new Date(now)).notBeforeTime(new Date(now))
                .expirationTime(new Date(now + 300_000)).claim("sha256", sha).build(), secret);
    }

    private static void signedWebhook(String event, String room, String identity, String reason) throws Exception {
        ObjectNode body = Json.object().put("event", event).put("id", "EV_" + NEXT.incrementAndGet()).put("createdAt", "1700000000");
        body.putObject("room").put("sid", "RM_x").put("name", room);
        ObjectNode participant = body.putObject("participant").put("sid", "PA_x").put("identity", identity).put("state", "ACTIVE");
        if (reason != null) participant.put("disconnectReason", reason);
        String text = Json.write(body);
        HttpResponse<String> r = webhook(text, signature(text, LiveKitProcess.SECRET));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** Schedules {@code user}'s delayed leave (an empty call membership) in {@code roomId}: its delay ID. */
    private static String delayedLeave(User user, String roomId, String stateKey, long delayMs) {
        Resp r = client.put("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/state/" + CALL_MEMBER + "/" + TestClient.seg(stateKey)
                + "?org.matrix.msc4140.delay=" + delayMs, user.token(), "{}");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        return r.text("delay_id");
    }

    private static boolean scheduled(User user, String delayId) {
        JsonNode items = client.get("/_matrix/client/unstable/org.matrix.msc4140/delayed_events", user.token()).body().path("delayed_events");
        for (JsonNode item : items) if (item.path("delay_id").asText().equals(delayId)) return true;
        return false;
    }

    private static boolean leaveSent(User user, String roomId, String stateKey) {
        Resp r = client.get("/_matrix/client/v3/rooms/" + TestClient.seg(roomId) + "/state/" + CALL_MEMBER + "/" + TestClient.seg(stateKey),
                user.token());
        return r.status() == 200 && r.body().isEmpty();
    }

    /** Waits until {@code user}'s leave is in the room's state, for at most {@code within}. */
    private static void awaitLeave(User user, String roomId, String stateKey, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!leaveSent(user, roomId, stateKey)) {
            assertThat(System.nanoTime()).as("%s's leave within %s", user.userId(), within).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aLocalUserGetsAOneHourTokenForTheDerivedRoomAndIdentityAndTheRoomIsCreatedOnTheSfu() throws Exception {
        User alice = user("alice");
        String roomId = room(alice);
        Resp r = post("/get_token", tokenRequest(alice, roomId, "ALICEDEV", "member-a"));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.text("url")).isEqualTo("ws://127.0.0.1:" + livekitPort);
        JWTClaimsSet claims = verifiedClaims(r.text("jwt"));
        String lkRoom = LiveKitNames.room(roomId, "m.call#ROOM");
        assertThat(claims.getIssuer()).isEqualTo(LiveKitProcess.KEY);
        assertThat(claims.getSubject()).isEqualTo(LiveKitNames.identity(alice.userId(), "ALICEDEV", "member-a"));
        assertThat(claims.getExpirationTime().getTime() - claims.getNotBeforeTime().getTime()).isEqualTo(3_600_000);
        Map<String, Object> video = claims.getJSONObjectClaim("video");
        assertThat(video).containsEntry("roomJoin", true).containsEntry("room", lkRoom).containsEntry("canPublish", true)
                .containsEntry("canSubscribe", true).containsEntry("canUpdateOwnMetadata", true).doesNotContainKey("roomCreate");
        JsonNode created = null;
        for (JsonNode room : liveKitRooms()) if (room.path("name").asText().equals(lkRoom)) created = room;
        assertThat(created).as("the room exists on the SFU").isNotNull();
        assertThat(created.path("empty_timeout").asInt()).isEqualTo(300);
        assertThat(created.path("departure_timeout").asInt()).isEqualTo(20);
    }

    @Test
    void theLegacyEndpointUsesTheLegacySlotAndTheUserAndDeviceAsIdentity() throws Exception {
        User bob = user("bob");
        String roomId = room(bob);
        ObjectNode body = Json.object().put("room", roomId).put("device_id", "BOBDEV");
        body.set("openid_token", bob.openId());
        Resp r = post("/sfu/get", body);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        JWTClaimsSet claims = verifiedClaims(r.text("jwt"));
        assertThat(claims.getSubject()).isEqualTo(bob.userId() + ":BOBDEV");
        assertThat(claims.getJSONObjectClaim("video")).containsEntry("room", LiveKitNames.room(roomId, "m.call#ROOM"));
    }

    @Test
    void theServiceIsAdvertisedFirstAndAnswersHealthChecks() {
        String alice = server.registerToken("transports" + NEXT.incrementAndGet());
        JsonNode transports = client.get("/_matrix/client/unstable/org.matrix.msc4143/rtc/transports", alice).body().path("rtc_transports");
        assertThat(transports).hasSize(2);
        assertThat(transports.get(0).path("livekit_service_url").asText()).isEqualTo("https://matrix.example.org" + SERVICE);
        assertThat(transports.get(1).path("livekit_service_url").asText()).isEqualTo("https://other.example.org");
        assertThat(client.get("/.well-known/matrix/client", null).body().path("org.matrix.msc4143.rtc_foci")).isEqualTo(transports);
        Resp health = client.get(SERVICE + "/healthz", null);
        assertThat(health.status()).isEqualTo(200);
    }

    @Test
    void badBodiesGetMatrixErrors() {
        User carol = user("carol");
        String roomId = room(carol);
        assertThat(post("/get_token", "not json").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(post("/get_token", "[1]").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(post("/get_token", "").errcode()).isEqualTo("M_NOT_JSON");
        ObjectNode unknown = tokenRequest(carol, roomId, "D", "m").put("surprise", 1);
        assertThat(post("/get_token", unknown).errcode()).isEqualTo("M_BAD_JSON");
        ObjectNode unknownNested = tokenRequest(carol, roomId, "D", "m");
        ((ObjectNode) unknownNested.get("member")).put("extra", "x");
        assertThat(post("/get_token", unknownNested).errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/get_token", tokenRequest(carol, roomId, "D", "m").put("room_id", 5)).errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/get_token", tokenRequest(carol, roomId, "D", "m").put("delay_timeout", "10")).errcode()).isEqualTo("M_BAD_JSON");
        ObjectNode noRoom = tokenRequest(carol, roomId, "D", "m");
        noRoom.remove("room_id");
        Resp missing = post("/get_token", noRoom);
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/get_token", tokenRequest(carol, roomId, "", "m")).errcode()).isEqualTo("M_BAD_JSON");
        ObjectNode noOpenId = tokenRequest(carol, roomId, "D", "m");
        noOpenId.remove("openid_token");
        assertThat(post("/get_token", noOpenId).errcode()).isEqualTo("M_BAD_JSON");
        assertThat(post("/get_token", tokenRequest(carol, roomId, "D", "m").put("delay_id", "abc")).errcode())
                .as("a delay ID needs its timeout").isEqualTo("M_BAD_JSON");
        assertThat(post("/sfu/get", Json.object().put("device_id", "D")).errcode()).isEqualTo("M_BAD_JSON");
        Resp huge = post("/get_token", "{\"room_id\":\"" + "x".repeat(100_000) + "\"}");
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.errcode()).isEqualTo("M_TOO_LARGE");
        assertThat(client.get(SERVICE + "/get_token", null).status()).isEqualTo(405);
    }

    @Test
    void tokensThatDoNotCheckOutAreUnauthorized() throws Exception {
        User dave = user("dave");
        User eve = user("eve");
        String roomId = room(dave);
        ObjectNode forged = tokenRequest(dave, roomId, "D", "m");
        ((ObjectNode) forged.get("openid_token")).put("access_token", "forged-token");
        assertThat(post("/get_token", forged).errcode()).isEqualTo("M_UNAUTHORIZED");
        ObjectNode accessToken = tokenRequest(dave, roomId, "D", "m");
        ((ObjectNode) accessToken.get("openid_token")).put("access_token", dave.token());
        assertThat(post("/get_token", accessToken).errcode()).as("an access token is not an OpenID token").isEqualTo("M_UNAUTHORIZED");
        ObjectNode someoneElse = tokenRequest(dave, roomId, "D", "m");
        ((ObjectNode) someoneElse.get("member")).put("claimed_user_id", eve.userId());
        Resp claimed = post("/get_token", someoneElse);
        assertThat(claimed.status()).isEqualTo(401);
        assertThat(claimed.errcode()).isEqualTo("M_UNAUTHORIZED");
        ObjectNode otherServer = tokenRequest(dave, roomId, "D", "m");
        ((ObjectNode) otherServer.get("openid_token")).put("matrix_server_name", "unreachable.invalid");
        assertThat(post("/get_token", otherServer).errcode()).as("no federation here to ask").isEqualTo("M_UNAUTHORIZED");
        // An expired token: expiry is checked on every use, cached or not.
        ObjectNode expired = tokenRequest(dave, roomId, "D", "m");
        server.homeserver().database().dsl().execute("UPDATE openid_tokens SET expires_at = 1");
        assertThat(post("/get_token", expired).errcode()).isEqualTo("M_UNAUTHORIZED");
    }

    @Test
    void aDelegatedLeaveIsKeptAliveWhileTheSfuSeesTheParticipantAndSentWhenItLosesThem() throws Exception {
        User frank = user("frank");
        String roomId = room(frank);
        String stateKey = "_" + frank.userId() + "_FRANKDEV_m.call";
        String delayId = delayedLeave(frank, roomId, stateKey, 3_000);
        Resp r = post("/get_token", tokenRequest(frank, roomId, "FRANKDEV", "member-f").put("delay_id", delayId).put("delay_timeout", 3_000)
                .put("delay_cs_api_url", base()));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        String lkRoom = LiveKitNames.room(roomId, "m.call#ROOM");
        String identity = LiveKitNames.identity(frank.userId(), "FRANKDEV", "member-f");
        signedWebhook("participant_joined", lkRoom, identity, null);
        Thread.sleep(5_000);
        assertThat(scheduled(frank, delayId)).as("restarted by the service past its 3 s delay").isTrue();
        assertThat(leaveSent(frank, roomId, stateKey)).isFalse();
        signedWebhook("participant_left", lkRoom, identity, "CONNECTION_TIMEOUT");
        awaitLeave(frank, roomId, stateKey, Duration.ofMillis(1_500));
        assertThat(scheduled(frank, delayId)).isFalse();
    }

    @Test
    void aFailedFirstConnectionIsIgnoredAndALeaveTheClientChoseIsSent() throws Exception {
        User gina = user("gina");
        String roomId = room(gina);
        String stateKey = "_" + gina.userId() + "_GINADEV_m.call";
        String delayId = delayedLeave(gina, roomId, stateKey, 60_000);
        ObjectNode body = Json.object().put("room", roomId).put("device_id", "GINADEV").put("delay_id", delayId).put("delay_timeout", 60_000);
        body.set("openid_token", gina.openId());
        assertThat(post("/sfu/get", body).status()).isEqualTo(200);
        String lkRoom = LiveKitNames.room(roomId, LiveKitNames.LEGACY_SLOT);
        String identity = LiveKitNames.legacyIdentity(gina.userId(), "GINADEV");
        signedWebhook("participant_connection_aborted", lkRoom, identity, null);
        Thread.sleep(500);
        assertThat(scheduled(gina, delayId)).as("a failed first connection is followed by another attempt").isTrue();

        signedWebhook("participant_joined", lkRoom, identity, null);
        signedWebhook("participant_left", lkRoom, identity, "CLIENT_INITIATED");
        awaitLeave(gina, roomId, stateKey, Duration.ofSeconds(5));
    }

    @Test
    void delegateDelayedLeaveNeedsItsDelayFieldsAndWatchesLikeATokenRequest() throws Exception {
        User hana = user("hana");
        String roomId = room(hana);
        String stateKey = "_" + hana.userId() + "_HANADEV_m.call";
        String delayId = delayedLeave(hana, roomId, stateKey, 60_000);
        assertThat(post("/delegate_delayed_leave", tokenRequest(hana, roomId, "HANADEV", "member-h")).errcode()).isEqualTo("M_BAD_JSON");
        Resp r = post("/delegate_delayed_leave", tokenRequest(hana, roomId, "HANADEV", "member-h").put("delay_id", delayId)
                .put("delay_timeout", 60_000));
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        String lkRoom = LiveKitNames.room(roomId, "m.call#ROOM");
        String identity = LiveKitNames.identity(hana.userId(), "HANADEV", "member-h");
        signedWebhook("participant_joined", lkRoom, identity, null);
        signedWebhook("participant_connection_aborted", lkRoom, identity, null);
        awaitLeave(hana, roomId, stateKey, Duration.ofSeconds(5));
    }

    @Test
    void anotherUsersDelayIdIsNeverSent() throws Exception {
        User ivan = user("ivan");
        User judy = user("judy");
        String roomId = room(ivan);
        String stateKey = "_" + ivan.userId() + "_IVANDEV_m.call";
        String ivansDelay = delayedLeave(ivan, roomId, stateKey, 60_000);
        String judysRoom = room(judy);
        assertThat(post("/get_token", tokenRequest(judy, judysRoom, "JUDYDEV", "member-j").put("delay_id", ivansDelay).put("delay_timeout", 60_000))
                .status()).isEqualTo(200);
        String lkRoom = LiveKitNames.room(judysRoom, "m.call#ROOM");
        String identity = LiveKitNames.identity(judy.userId(), "JUDYDEV", "member-j");
        signedWebhook("participant_joined", lkRoom, identity, null);
        signedWebhook("participant_left", lkRoom, identity, "CONNECTION_TIMEOUT");
        Thread.sleep(1_000);
        assertThat(scheduled(ivan, ivansDelay)).isTrue();
        assertThat(leaveSent(ivan, roomId, stateKey)).isFalse();
    }

    @Test
    void webhooksAreCheckedAgainstTheirSignature() throws Exception {
        String body = "{\"event\":\"participant_joined\",\"room\":{\"name\":\"r\"},\"participant\":{\"identity\":\"p\"}}";
        assertThat(webhook(body, null).statusCode()).isEqualTo(401);
        assertThat(webhook(body, signature(body, "another-secret-of-more-than-32-bytes-long")).statusCode()).isEqualTo(401);
        assertThat(webhook(body + " ", signature(body, LiveKitProcess.SECRET)).statusCode()).as("body changed after signing").isEqualTo(401);
        assertThat(webhook(body, "Bearer not-a-jwt").statusCode()).isEqualTo(401);
        HttpResponse<String> refused = webhook(body, null);
        assertThat(Json.parse(refused.body()).path("errcode").asText()).isEqualTo("M_UNAUTHORIZED");
        assertThat(webhook(body, signature(body, LiveKitProcess.SECRET)).statusCode()).as("unknown participant: nothing to do").isEqualTo(200);
        assertThat(webhook(body, "Bearer " + signature(body, LiveKitProcess.SECRET)).statusCode()).isEqualTo(200);
        String roomEvent = "{\"event\":\"room_started\",\"room\":{\"name\":\"r\"}}";
        assertThat(webhook(roomEvent, signature(roomEvent, LiveKitProcess.SECRET)).statusCode()).isEqualTo(200);
        String finished = "{\"event\":\"room_finished\",\"room\":{\"name\":\"r\"}}";
        assertThat(webhook(finished, signature(finished, LiveKitProcess.SECRET)).statusCode()).isEqualTo(200);
        String notJson = "not json";
        HttpResponse<String> bad = webhook(notJson, signature(notJson, LiveKitProcess.SECRET));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(Json.parse(bad.body()).path("errcode").asText()).isEqualTo("M_NOT_JSON");
        String noParticipant = "{\"event\":\"participant_left\",\"room\":{\"name\":\"r\"}}";
        assertThat(webhook(noParticipant, signature(noParticipant, LiveKitProcess.SECRET)).statusCode()).isEqualTo(400);
    }

    @Test
    void theSfuAnswersParticipantLookUps() throws Exception {
        LiveKitRoomService rooms = new LiveKitRoomService(livekit.httpUrl(),
                new LiveKitTokens(LiveKitProcess.KEY, LiveKitProcess.SECRET, java.time.Clock.systemUTC()));
        rooms.createRoom("lookup-room", 60, 20);
        assertThat(rooms.participantPresent("lookup-room", "nobody")).isFalse();
        assertThat(rooms.participantPresent("no-such-room", "nobody")).isFalse();
        LiveKitRoomService wrongKey = new LiveKitRoomService(livekit.httpUrl(),
                new LiveKitTokens("unknown-key", LiveKitProcess.SECRET, java.time.Clock.systemUTC()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> wrongKey.participantPresent("lookup-room", "nobody"))
                .isInstanceOf(LiveKitRoomService.LiveKitException.class);
    }
}
