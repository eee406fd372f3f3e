package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.callhs.complement.harness.ContainerDeployment;
import org.callhs.complement.harness.ContainerDeployment.ContainerHomeserver;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container deployment: two homeservers from the test-suite image, {@code hs1} and
 * {@code hs2}, started with Testcontainers on a network of their own, with TLS from a CA this test
 * made (matrix-org/complement's contract, {@code docker/README.md}). The basics on one server
 * (accounts, admins through shared-secret registration, rooms, sync, MSC4140 delayed events,
 * MSC4354 sticky events) and a federation subset between the two (profiles and aliases, keys,
 * to-device, a shared room, invites, history, knocks), all through the published ports.
 */
class ContainerScenario {
    static ContainerDeployment deployment;

    @BeforeAll
    static void deploy() {
        deployment = ContainerDeployment.start("ContainerScenario", 2);
    }

    @AfterAll
    static void tearDown() {
        if (deployment != null) deployment.close();
    }

    static ContainerHomeserver hs1() { return deployment.server(1); }

    static ContainerHomeserver hs2() { return deployment.server(2); }

    @Test
    void federationPresentsACertificateForTheServerNameSignedByTheTestsCa() throws Exception {
        for (ContainerHomeserver hs : List.of(hs1(), hs2())) {
            try (Socket plain = new Socket(hs.host(), hs.federationPort());
                 SSLSocket tls = (SSLSocket) deployment.ca().sslContext().getSocketFactory()
                         .createSocket(plain, hs.serverName(), hs.federationPort(), true)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");   // the certificate must name hs1 / hs2
                parameters.setServerNames(List.of(new SNIHostName(hs.serverName())));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                X509Certificate leaf = (X509Certificate) tls.getSession().getPeerCertificates()[0];
                assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=" + hs.serverName());
                OutputStream out = tls.getOutputStream();
                out.write(("GET /_matrix/key/v2/server HTTP/1.1\r\nHost: " + hs.serverName() + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = tls.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200").contains("\"server_name\":\"" + hs.serverName() + "\"");
            }
        }
    }

    @Test
    void accountsAndAdminsAreMadeAsTheSuiteMakesThem() throws Exception {
        CsApiClient anonymous = hs1().client();
        CsApiClient alice = anonymous.register(Names.unique("alice"), "container-password");
        assertThat(alice.userId()).endsWith(":hs1");
        assertThat(alice.whoami().path("user_id").asText()).isEqualTo(alice.userId());
        CsApiClient again = anonymous.login(alice.userId(), "container-password");
        assertThat(again.deviceId()).isNotEqualTo(alice.deviceId());

        String nonce = anonymous.requestAt("GET", "_synapse", "admin", "v1", "register").send().assertOk().path("nonce").asText();
        String admin = Names.unique("admin");
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("complement".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String hex = HexFormat.of().formatHex(mac.doFinal(String.join("\0", nonce, admin, "admin-password", "admin")
                .getBytes(StandardCharsets.UTF_8)));
        JsonNode made = anonymous.requestAt("POST", "_synapse", "admin", "v1", "register")
                .json(obj("nonce", nonce, "username", admin, "password", "admin-password", "admin", true, "mac", hex)).send().assertOk();
        CsApiClient root = anonymous.withAccessToken(made.path("access_token").asText());
        JsonNode users = root.requestAt("GET", "_synapse", "admin", "v2", "users").query("name", alice.userId().substring(1, 8))
                .send().assertOk();
        assertThat(users.path("users").findValuesAsText("name")).contains(alice.userId());
        alice.requestAt("GET", "_synapse", "admin", "v2", "users").send().assertError(403, "M_FORBIDDEN");
    }

    @Test
    void roomsMessagesAndSyncOnOneServer() {
        CsApiClient alice = hs1().client().register(Names.unique("alice"), "container-password");
        CsApiClient bob = hs1().client().register(Names.unique("bob"), "container-password");
        String roomId = alice.post(obj("preset", "private_chat", "name", "in a container"), "createRoom").assertOk().path("room_id").asText();
        alice.post(obj("user_id", bob.userId()), "rooms", roomId, "invite").assertOk();
        bob.post(obj(), "join", roomId).assertOk();
        String since = bob.request("GET", "sync").query("timeout", "0").send().assertOk().path("next_batch").asText();
        String body = "hello from a container " + Names.random(6);
        alice.put(obj("msgtype", "m.text", "body", body), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        JsonNode sync = bob.request("GET", "sync").query("since", since).query("timeout", "10000").send().assertOk();
        assertThat(sync.path("rooms").path("join").path(roomId).path("timeline").path("events").findValuesAsText("body")).contains(body);
        JsonNode messages = bob.request("GET", "rooms", roomId, "messages").query("dir", "b").send().assertOk();
        assertThat(messages.path("chunk").findValuesAsText("body")).contains(body);
    }

    @Test
    void delayedAndStickyEventsWorkInTheImage() {
        CsApiClient alice = hs1().client().register(Names.unique("alice"), "container-password");
        String roomId = alice.post(obj("preset", "private_chat"), "createRoom").assertOk().path("room_id").asText();
        // MSC4140: a delayed state event, sent by the server 1 s later.
        String delayId = alice.request("PUT", "rooms", roomId, "state", "org.example.leave", "me").query(DelayedEventsApi.DELAY, "1000")
                .json(obj("left", true)).send().assertOk().path("delay_id").asText();
        assertThat(delayId).isNotEmpty();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        CsResponse state;
        do {
            state = alice.get("rooms", roomId, "state", "org.example.leave", "me");
        } while (state.status() != 200 && Instant.now().isBefore(deadline) && pause());
        assertThat(state.status()).as(state.describe()).isEqualTo(200);
        // MSC4354: a sticky event reaches /sync marked sticky, with the time it has left. A second
        // device's initial sync gets it in the timeline, or in the sticky section when it is not
        // among the timeline's events.
        String eventId = alice.request("PUT", "rooms", roomId, "send", "org.example.member", Rooms.txnId())
                .query(StickyEventsApi.STICKY, "60000").json(obj("joined", true)).send().assertOk().path("event_id").asText();
        CsApiClient other = hs1().client().login(alice.userId(), "container-password");
        JsonNode room = StickyEventsApi.joined(other.request("GET", "sync").query("timeout", "0").send().assertOk(), roomId);
        JsonNode sticky = null;
        for (JsonNode event : room.path("timeline").path("events")) if (event.path("event_id").asText().equals(eventId)) sticky = event;
        for (JsonNode event : room.path(StickyEventsApi.SECTION).path("events")) if (event.path("event_id").asText().equals(eventId)) sticky = event;
        assertThat(sticky).as("the sticky event in %s", room).isNotNull();
        assertThat(sticky.path(StickyEventsApi.SECTION).path("duration_ms").asLong()).isEqualTo(60_000);
        assertThat(sticky.path("unsigned").path(StickyEventsApi.TTL).asLong()).isBetween(1L, 60_000L);
    }

    @Test
    void profilesAliasesKeysAndToDeviceAcrossTheContainers() {
        FederationChecks.profilesAndAliasesEachWay(FederationChecks.user(hs1().client(), "alice"), FederationChecks.user(hs2().client(), "bob"));
        FederationChecks.keysEachWay(hs1(), hs2());
        FederationChecks.toDeviceEachWay(FederationChecks.user(hs1().client(), "carol"), FederationChecks.user(hs2().client(), "dave"));
    }

    @Test
    void roomsAreSharedJoinedByInviteAndKnockedOnAcrossTheContainers() {
        for (String version : List.of("10", "11", "12")) {
            FederationChecks.sharedRoom(FederationChecks.user(hs1().client(), "alice"), FederationChecks.user(hs2().client(), "bob"), version);
        }
        FederationChecks.invitesAcrossServers(FederationChecks.user(hs2().client(), "carol"), FederationChecks.user(hs1().client(), "dave"),
                FederationChecks.user(hs1().client(), "erin"), "11");
        FederationChecks.lateJoinerReadsHistory(FederationChecks.user(hs1().client(), "frank"), FederationChecks.user(hs2().client(), "grace"));
        FederationChecks.knockAcrossServers(FederationChecks.user(hs2().client(), "heidi"), FederationChecks.user(hs1().client(), "ivan"));
    }

    private static boolean pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
