package org.callhs.complement;

import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverScenario;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A MatrixRTC call across three callhs processes with the real matrix-js-sdk, in both membership modes
 * ({@link RtcFederationChecks}): A on the first, B on the second (the room's creator), C on the third,
 * whose server joins the room after the call started and 65 other events were sent. Each participant
 * sees the other; A's client is killed and B sees its delayed leave in time; A rejoins; C sees both
 * memberships at once (in sticky mode, each server pushed its own sticky membership to C's server);
 * then A's server is killed with {@code kill -9} and started 10 s later, and B sees A's leave, fired by
 * A's server after its restart. Logs: {@code target/complement-logs/<deployment>/js-rtc-fed-<mode>.log}.
 */
@HomeserverScenario
class MatrixRtcFederationScenario {
    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, "MatrixRtcFederationScenario", 3, FederationScenario.federating());
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sticky", "legacy"})
    void aCallSplitOverThreeServersSurvivesKilledClientsAndAKilledServer(String mode) {
        RtcFederationChecks.callAcrossServers(deployment, deployment.process(1),
                FederationChecks.user(deployment.process(1).client(), "rtca"),
                FederationChecks.user(deployment.process(2).client(), "rtcb"),
                FederationChecks.user(deployment.process(3).client(), "rtcc"), mode, "js-rtc-fed-" + mode + ".log");
    }
}
