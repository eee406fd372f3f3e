package org.callhs.complement;

import java.nio.file.Path;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.SynapsePeer;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MatrixRTC call across callhs and a real Synapse (1.163.2, MSC4140 and MSC4354 on) with the real
 * matrix-js-sdk, in both membership modes ({@link RtcFederationChecks}): A on callhs, B on Synapse (the
 * room's creator), C on a second callhs that joins the room through Synapse after the call started and
 * 65 other events were sent. C sees A's sticky membership because A's server pushes it, and B's because
 * C's server takes the unexpired sticky events of the room's recent history from Synapse when it joins
 * (Synapse pushes nothing to a server that joins). A's server is then killed with {@code kill -9} and
 * restarted 10 s later; Synapse's user B sees A's leave.
 */
@HomeserverScenario
class MatrixRtcSynapseScenario {
    @Parameter Backend backend;

    static Deployment deployment;
    static SynapsePeer synapse;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        synapse = null;
        Deployment.skipIfRemote("starts its own Synapse peer next to the callhs processes");
        deployment = Deployment.start(backend, "MatrixRtcSynapseScenario", 2, FederationScenario.federating());
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

    @ParameterizedTest
    @ValueSource(strings = {"sticky", "legacy"})
    void aCallSplitOverCallhsAndSynapseSurvivesKilledClientsAndAKilledServer(String mode) {
        RtcFederationChecks.callAcrossServers(deployment, deployment.process(1),
                FederationChecks.user(deployment.process(1).client(), "rtca"),
                FederationChecks.user(synapse.client(), "rtcb"),
                FederationChecks.user(deployment.process(2).client(), "rtcc"), mode, "js-rtc-synapse-" + mode + ".log");
    }
}
