package org.callhs.complement;

import static org.callhs.complement.harness.Json.obj;

import java.nio.file.Path;
import java.util.List;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.Rooms;
import org.callhs.complement.harness.SynapsePeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * callhs and a real Synapse (1.163.2, from PyPI) federating over loopback HTTPS, each direction:
 * remote profiles and aliases, media, E2EE key query and claim, to-device messages, rooms of versions 9 to
 * 12 with either server as the resident (join, messages and state each way, leave), a peer that is down
 * when messages are sent (Synapse down, then callhs down with Synapse queuing), and a sender
 * killed with messages for the other still queued (callhs, then Synapse); and a MatrixRTC call over
 * callhs, Synapse and a second callhs process (which takes part in the call only).
 */
@HomeserverScenario
class SynapseFederationScenario {
    @Parameter Backend backend;

    static Deployment deployment;
    static SynapsePeer synapse;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        synapse = null;
        Deployment.skipIfRemote("starts its own Synapse peer next to a callhs process");
        deployment = Deployment.start(backend, "SynapseFederationScenario", 2, FederationScenario.federating());
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "complement-data", deployment.name(), "synapse");
        synapse = new SynapsePeer(dir);
        synapse.start();
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        try {
            if (synapse != null) synapse.close();
        } finally {
            Deployment.close(deployment);
        }
    }

    static HomeserverProcess callhs() { return deployment.process1(); }

    static CsApiClient onCallhs(String prefix) { return FederationChecks.user(callhs().client(), prefix); }

    static CsApiClient onSynapse(String prefix) { return FederationChecks.user(synapse.client(), prefix); }

    @Test
    void profilesAndAliasesEachWay() {
        FederationChecks.profilesAndAliasesEachWay(onCallhs("alice"), onSynapse("bob"));
    }

    @Test
    void keysAreQueriedAndClaimedEachWay() {
        FederationChecks.keysEachWay(callhs(), synapse);
    }

    /** Authenticated media over federation: Synapse fetches callhs's multipart answer, callhs fetches Synapse's. */
    @Test
    void mediaEachWay() {
        MediaChecks.mediaAcrossServers(onCallhs("alice"), callhs().serverName(), onSynapse("bob"));
        MediaChecks.mediaAcrossServers(onSynapse("carol"), synapse.serverName(), onCallhs("dave"));
    }

    @Test
    void toDeviceMessagesEachWay() {
        FederationChecks.toDeviceEachWay(onCallhs("alice"), onSynapse("bob"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9", "10", "11", "12"})
    void aSynapseUserJoinsACallhsRoom(String version) {
        FederationChecks.sharedRoom(onCallhs("alice"), onSynapse("bob"), version);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"9", "10", "11", "12"})
    void aCallhsUserJoinsASynapseRoom(String version) {
        FederationChecks.sharedRoom(onSynapse("bob"), onCallhs("alice"), version);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"10", "12"})
    void invitesEachWay(String version) {
        FederationChecks.invitesAcrossServers(onCallhs("alice"), onSynapse("bob"), onSynapse("carol"), version);
        FederationChecks.invitesAcrossServers(onSynapse("dora"), onCallhs("erik"), onCallhs("fay"), version);
    }

    @Test
    void lateJoinersReadHistoryEachWay() {
        FederationChecks.lateJoinerReadsHistory(onCallhs("alice"), onSynapse("bob"));
        FederationChecks.lateJoinerReadsHistory(onSynapse("carol"), onCallhs("dave"));
    }

    /**
     * A MatrixRTC call across callhs and Synapse (MSC4140 and MSC4354 on) with the real matrix-js-sdk,
     * in both membership modes ({@link RtcFederationChecks}): A on callhs, B on Synapse (the room's
     * creator), C on the second callhs process, which joins the room through Synapse after the call
     * started and 65 other events were sent. C sees A's sticky membership because A's server pushes
     * it, and B's because C's server reads the room's recent history from Synapse when it joins
     * (Synapse 1.163.2 pushes nothing to a server that joins). A's server is then killed with
     * {@code kill -9} and restarted 10 s later; Synapse's user B sees A's leave.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sticky", "legacy"})
    void aMatrixRtcCallOverCallhsAndSynapseSurvivesKilledClientsAndAKilledServer(String mode) {
        RtcFederationChecks.callAcrossServers(deployment, callhs(), onCallhs("rtca"), onSynapse("rtcb"),
                FederationChecks.user(deployment.process(2).client(), "rtcc"), mode, "js-rtc-synapse-" + mode + ".log");
    }

    /** MSC4354: every sticky event callhs sent while Synapse was down reaches Synapse's user once it is back. */
    @Test
    void stickyEventsReachSynapseAfterItWasDown() {
        FederationChecks.stickyEventsReachAServerThatWasDown(onCallhs("alice"), onSynapse("bob"), synapse::kill, synapse::start);
    }

    /**
     * Both servers change the room's topic while they cannot reach each other: Synapse is frozen
     * (SIGSTOP) while callhs writes, and killed frozen, so what callhs sent never reached it; callhs
     * is killed with its events still queued; Synapse comes back and writes while callhs is down;
     * then callhs comes back. Both resolve the fork to the same state, the messages each missed
     * arrive, and the room goes on from the merged state.
     */
    @Test
    void serversThatChangedTheSameStateApartAgreeAfterwards() {
        CsApiClient alice = onCallhs("alice");
        CsApiClient bob = onSynapse("bob");
        String roomId = FederationChecks.roomBothMayChange(alice, bob);

        synapse.pause();
        alice.put(obj("topic", "set on callhs"), "rooms", roomId, "state", "m.room.topic").assertOk();
        String missedBySynapse = "sent while Synapse was frozen " + Names.random(6);
        alice.put(obj("msgtype", "m.text", "body", missedBySynapse), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        synapse.kill();
        callhs().kill();
        synapse.start();
        bob.put(obj("topic", "set on synapse"), "rooms", roomId, "state", "m.room.topic").assertOk();
        String missedByCallhs = "sent while callhs was down " + Names.random(6);
        bob.put(obj("msgtype", "m.text", "body", missedByCallhs), "rooms", roomId, "send", "m.room.message", Rooms.txnId()).assertOk();
        callhs().start();

        FederationChecks.agreeAfterFork(alice, bob, roomId, missedByCallhs, missedBySynapse);
    }

    @Test
    void kicksAndBansEachWay() {
        FederationChecks.kickAndBanAcrossServers(onCallhs("alice"), onSynapse("bob"));
        FederationChecks.kickAndBanAcrossServers(onSynapse("carol"), onCallhs("dave"));
    }

    @Test
    void matrixJsSdkClientsExchangeEncryptedMessagesEachWay() {
        FederationChecks.encryptedMessagesEachWay(deployment, onCallhs("alice"), onSynapse("bob"), "js-e2ee-callhs-to-synapse.log");
        FederationChecks.encryptedMessagesEachWay(deployment, onSynapse("carol"), onCallhs("dave"), "js-e2ee-synapse-to-callhs.log");
    }

    @Test
    void knocksEachWay() {
        FederationChecks.knockAcrossServers(onCallhs("alice"), onSynapse("bob"));
        FederationChecks.knockAcrossServers(onSynapse("carol"), onCallhs("dave"));
    }

    @Test
    void messagesForASynapseThatIsDownArriveWhenItIsBack() {
        CsApiClient alice = onCallhs("alice");
        CsApiClient bob = onSynapse("bob");
        synapse.kill();
        String first = FederationChecks.sendToDevice(alice, bob, bob.deviceId());
        String second = FederationChecks.sendToDevice(alice, bob, "*");
        synapse.start();
        FederationChecks.awaitToDevice(bob, alice.userId(), List.of(first, second));
    }

    @Test
    void messagesFromSynapseArriveAfterCallhsWasDown() {
        CsApiClient alice = onCallhs("alice");
        CsApiClient bob = onSynapse("bob");
        callhs().kill();
        String first = FederationChecks.sendToDevice(bob, alice, alice.deviceId());
        callhs().start();
        FederationChecks.awaitToDevice(alice, bob.userId(), List.of(first));
    }

    @Test
    void messagesQueuedByAKilledSynapseArriveAfterBothAreBack() {
        CsApiClient alice = onCallhs("alice");
        CsApiClient bob = onSynapse("bob");
        callhs().stop();
        String first = FederationChecks.sendToDevice(bob, alice, alice.deviceId());
        synapse.kill();
        callhs().start();
        synapse.start();
        FederationChecks.awaitToDevice(alice, bob.userId(), List.of(first));
    }

    @Test
    void queuedMessagesSurviveAKilledCallhs() {
        CsApiClient alice = onCallhs("alice");
        CsApiClient bob = onSynapse("bob");
        synapse.stop();
        String first = FederationChecks.sendToDevice(alice, bob, bob.deviceId());
        String second = FederationChecks.sendToDevice(alice, bob, bob.deviceId());
        callhs().kill();
        synapse.start();
        callhs().start();
        FederationChecks.awaitToDevice(bob, alice.userId(), List.of(first, second));
    }
}
