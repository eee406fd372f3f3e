package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.List;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.FederationForgery;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * callhs processes federating over loopback HTTPS: remote profiles and aliases, E2EE key
 * query and claim, to-device messages both ways, delivery to a peer that was down when the
 * message was sent, and delivery after the sender was killed with the message still queued; and
 * a MatrixRTC call split over three of them. The third process takes part in the call only.
 */
@HomeserverScenario
class FederationScenario {
    /** Loopback federation: self-signed certificates, 127.0.0.1 allowed, quick retries. */
    static HomeserverOptions federating() {
        return HomeserverOptions.defaults()
                .set("federation.verify_certificates", "false")
                .set("federation.ip_range_allowlist", "127.0.0.0/8")
                .set("federation.destination_min_retry_interval_ms", "500")
                .set("federation.destination_max_retry_interval_ms", "2000")
                .requiringProcessControl("federates two homeserver processes and restarts them");
    }

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, "FederationScenario", 3, federating());
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    static HomeserverProcess one() { return deployment.process(1); }

    static HomeserverProcess two() { return deployment.process(2); }

    @Test
    void profilesAndAliasesOfTheOtherServer() {
        FederationChecks.profilesAndAliasesEachWay(FederationChecks.user(one().client(), "alice"),
                FederationChecks.user(two().client(), "bob"));
    }

    @Test
    void keysAreQueriedAndClaimedOnTheOtherServer() {
        FederationChecks.keysEachWay(one(), two());
    }

    @Test
    void mediaOfTheOtherServer() {
        MediaChecks.mediaAcrossServers(FederationChecks.user(one().client(), "alice"), one().serverName(),
                FederationChecks.user(two().client(), "bob"));
    }

    @Test
    void toDeviceMessagesGoBothWays() {
        FederationChecks.toDeviceEachWay(FederationChecks.user(one().client(), "alice"), FederationChecks.user(two().client(), "bob"));
    }

    /**
     * Both servers change the same state while they cannot reach each other (one is down while
     * the other writes, then the other way round), then meet again: each resolves the fork and
     * both report the same state. A server that was down also catches up on the messages it missed.
     */
    @Test
    void serversThatChangedTheSameStateApartAgreeAfterwards() {
        CsApiClient alice = FederationChecks.user(one().client(), "alice");
        CsApiClient bob = FederationChecks.user(two().client(), "bob");
        String roomId = FederationChecks.roomBothMayChange(alice, bob);

        two().kill();
        alice.put(obj("topic", "set on one"), "rooms", roomId, "state", "m.room.topic").assertOk();
        String missed = "sent while two was down " + Names.random(6);
        alice.put(obj("msgtype", "m.text", "body", missed), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        one().kill();
        two().start();
        bob.put(obj("topic", "set on two"), "rooms", roomId, "state", "m.room.topic").assertOk();
        String missedByOne = "sent while one was down " + Names.random(6);
        bob.put(obj("msgtype", "m.text", "body", missedByOne), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        one().start();

        FederationChecks.agreeAfterFork(alice, bob, roomId, missedByOne, missed);
    }

    @Test
    void kicksAndBansWorkEachWay() {
        FederationChecks.kickAndBanAcrossServers(FederationChecks.user(one().client(), "alice"), FederationChecks.user(two().client(), "bob"));
        FederationChecks.kickAndBanAcrossServers(FederationChecks.user(two().client(), "carol"), FederationChecks.user(one().client(), "dave"));
    }

    @Test
    void matrixJsSdkClientsExchangeEncryptedMessagesEachWay() {
        FederationChecks.encryptedMessagesEachWay(deployment, FederationChecks.user(one().client(), "alice"),
                FederationChecks.user(two().client(), "bob"), "js-e2ee-one-to-two.log");
        FederationChecks.encryptedMessagesEachWay(deployment, FederationChecks.user(two().client(), "carol"),
                FederationChecks.user(one().client(), "dave"), "js-e2ee-two-to-one.log");
    }

    @Test
    void lateJoinersReadHistoryAndKnocksWorkEachWay() {
        FederationChecks.lateJoinerReadsHistory(FederationChecks.user(one().client(), "alice"), FederationChecks.user(two().client(), "bob"));
        FederationChecks.lateJoinerReadsHistory(FederationChecks.user(two().client(), "carol"), FederationChecks.user(one().client(), "dave"));
        FederationChecks.knockAcrossServers(FederationChecks.user(one().client(), "erin"), FederationChecks.user(two().client(), "fred"));
        FederationChecks.knockAcrossServers(FederationChecks.user(two().client(), "gina"), FederationChecks.user(one().client(), "hank"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"10", "12"})
    void invitesAreAcceptedAndRejectedEachWay(String version) {
        FederationChecks.invitesAcrossServers(FederationChecks.user(one().client(), "alice"), FederationChecks.user(two().client(), "bob"),
                FederationChecks.user(two().client(), "carol"), version);
        FederationChecks.invitesAcrossServers(FederationChecks.user(two().client(), "dora"), FederationChecks.user(one().client(), "erik"),
                FederationChecks.user(one().client(), "fay"), version);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9", "10", "11", "12"})
    void roomsAreSharedWithEitherServerAsTheResident(String version) {
        FederationChecks.sharedRoom(FederationChecks.user(one().client(), "alice"), FederationChecks.user(two().client(), "bob"), version);
        FederationChecks.sharedRoom(FederationChecks.user(two().client(), "carol"), FederationChecks.user(one().client(), "dave"), version);
    }

    @Test
    void messagesForAPeerThatIsDownArriveWhenItIsBack() {
        CsApiClient alice = FederationChecks.user(one().client(), "alice");
        CsApiClient bob = FederationChecks.user(two().client(), "bob");
        two().kill();
        String first = FederationChecks.sendToDevice(alice, bob, bob.deviceId());
        String second = FederationChecks.sendToDevice(alice, bob, "*");
        two().start();
        FederationChecks.awaitToDevice(bob, alice.userId(), List.of(first, second));
    }

    @Test
    void stickyEventsReachAServerThatWasDown() {
        FederationChecks.stickyEventsReachAServerThatWasDown(FederationChecks.user(one().client(), "alice"),
                FederationChecks.user(two().client(), "bob"), () -> two().kill(), () -> two().start());
    }

    @Test
    void queuedMessagesSurviveAKilledSender() {
        CsApiClient alice = FederationChecks.user(one().client(), "alice");
        CsApiClient bob = FederationChecks.user(two().client(), "bob");
        two().stop();
        String first = FederationChecks.sendToDevice(alice, bob, bob.deviceId());
        String second = FederationChecks.sendToDevice(alice, bob, bob.deviceId());
        one().kill();
        two().start();
        one().start();
        FederationChecks.awaitToDevice(bob, alice.userId(), List.of(first, second));
    }

    /**
     * A MatrixRTC call across three callhs processes with the real matrix-js-sdk, in both membership
     * modes ({@link RtcFederationChecks}): A on the first, B on the second (the room's creator), C on
     * the third, whose server joins the room after the call started and 65 other events were sent.
     * Each participant sees the other; A's client is killed and B sees its delayed leave in time; A
     * rejoins; C sees both memberships at once (in sticky mode, each server pushed its own sticky
     * membership to C's server); then A's server is killed with {@code kill -9} and started 10 s
     * later, and B sees A's leave, fired by A's server after its restart.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sticky", "legacy"})
    void aMatrixRtcCallOverThreeServersSurvivesKilledClientsAndAKilledServer(String mode) {
        RtcFederationChecks.callAcrossServers(deployment, one(), FederationChecks.user(one().client(), "rtca"),
                FederationChecks.user(two().client(), "rtcb"), FederationChecks.user(deployment.process(3).client(), "rtcc"), mode,
                "js-rtc-fed-" + mode + ".log");
    }

    @Test
    void unsignedForgedAndMisdirectedRequestsAreRefused() {
        String target = "/_matrix/federation/v1/query/profile?user_id=%40x%3A" + one().serverName().replace(":", "%3A");
        CsResponse unsigned = one().federationRequest("GET", "_matrix", "federation", "v1", "query", "profile").query("user_id",
                "@x:" + one().serverName()).send();
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(unsigned.errcode()).isEqualTo("M_UNAUTHORIZED");
        FederationForgery forgery = new FederationForgery(two().serverName());
        CsResponse forged = one().federationRequest("GET", "_matrix", "federation", "v1", "query", "profile")
                .query("user_id", "@x:" + one().serverName())
                .header("Authorization", forgery.header("GET", target, one().serverName(), "ed25519:a_forg")).send();
        assertThat(forged.status()).as(forged.describe()).isEqualTo(401);
        // Signed under the real key ID of server two, but not with its key.
        String realKeyId = two().federationRequest("GET", "_matrix", "key", "v2", "server").send().assertOk()
                .path("verify_keys").fieldNames().next();
        CsResponse wronglySigned = one().federationRequest("GET", "_matrix", "federation", "v1", "query", "profile")
                .query("user_id", "@x:" + one().serverName())
                .header("Authorization", forgery.header("GET", target, one().serverName(), realKeyId)).send();
        assertThat(wronglySigned.status()).as(wronglySigned.describe()).isEqualTo(401);
        assertThat(wronglySigned.json().path("error").asText()).contains("Invalid signature");
        assertThat(forged.json().path("error").asText()).contains("Unknown key");
        CsResponse misdirected = one().federationRequest("GET", "_matrix", "federation", "v1", "query", "profile")
                .query("user_id", "@x:" + one().serverName())
                .header("Authorization", forgery.header("GET", target, "localhost:1", "ed25519:a_forg")).send();
        assertThat(misdirected.status()).isEqualTo(401);
        assertThat(misdirected.json().path("error").asText()).contains("not this server");
    }
}
