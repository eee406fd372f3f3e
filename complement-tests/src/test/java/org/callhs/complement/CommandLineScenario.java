package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverProcess;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;

/** {@code generate-config} writes a config that {@code run --config} accepts. */
@HomeserverScenario
class CommandLineScenario {

    @Parameter Backend backend;

    @Test
    void generatedConfigStartsAServer() throws IOException {
        Deployment.skipIfRemote("runs the homeserver's generate-config command");
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "complement-data",
                "CommandLineScenario-" + backend.name().toLowerCase() + "-" + Names.random(6));
        Files.createDirectories(dir);
        Path config = dir.resolve("homeserver.yaml");
        HomeserverProcess.CommandResult generated = HomeserverProcess.runJar(dir, dir.resolve("generate-config.log"),
                "generate-config", "--output", config.toAbsolutePath().toString());
        assertThat(generated.exitCode()).as("generate-config output:\n%s", generated.output()).isZero();
        assertThat(config).isRegularFile();
        String yaml = Files.readString(config);
        assertThat(yaml).as("generated config").contains("server_name").contains("#");

        try (Deployment d = Deployment.start(backend, "CommandLineScenario-generatedConfig",
                HomeserverOptions.defaults().configFile(config))) {
            CsApiClient alice = d.hs1().client().register(Names.unique("configured"), "password");
            assertThat(alice.whoami().path("user_id").asText()).endsWith(":" + d.hs1().serverName());
        }
    }
}
