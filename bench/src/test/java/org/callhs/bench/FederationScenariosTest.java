package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class FederationScenariosTest {
    @Test
    void theFederatedScenarioIsKnownAndNeedsTheSendersServer() {
        assertThat(Scenario.names()).contains("federated-to-device");
        assertThat(Scenario.named("federated-to-device", "run", 2, new ScenarioOptions(0, 0, 0, null)).name()).isEqualTo("federated-to-device");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true).setErr(new PrintWriter(err));
        int exit = cli.execute("--base-url", "http://127.0.0.1:1", "--scenario", "federated-to-device", "--users", "2");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("needs --sender-base-url");
        int remote = new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true).setErr(new PrintWriter(new StringWriter())).execute("--base-url",
                "http://127.0.0.1:1", "--sender-base-url", "http://example.org:1", "--scenario", "federated-to-device", "--users", "2");
        assertThat(remote).as("the sender's server must be on loopback too").isEqualTo(2);
        StringWriter roomErr = new StringWriter();
        int room = new CommandLine(new LoadGenerator()).setCaseInsensitiveEnumValuesAllowed(true).setErr(new PrintWriter(roomErr))
                .execute("--base-url", "http://127.0.0.1:1", "--scenario", "federated-room-message", "--users", "2");
        assertThat(room).isEqualTo(2);
        assertThat(roomErr.toString()).contains("needs --sender-base-url");
        assertThat(Scenario.named("federated-room-message", "run", 2, new ScenarioOptions(0, 0, 0, null)).name())
                .isEqualTo("federated-room-message");
    }

    @Test
    void theReportHasAColumnPerPairing() {
        FederationReport report = new FederationReport();
        assertThat(report.scenarios()).containsExactly("federated-to-device", "federated-room-message");
        assertThat(report.rows()).extracting(r -> r.name()).contains("missing deliveries (must be 0)",
                "send to the other server's /sync p99 (ms)", "room messages missing (must be 0)",
                "room message send to the other server's /sync p99 (ms)");
    }
}
