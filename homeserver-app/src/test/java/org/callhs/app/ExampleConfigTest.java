package org.callhs.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.config.HomeserverConfig;
import org.junit.jupiter.api.Test;

/** The file generate-config writes must load, and must say exactly what the defaults are. */
class ExampleConfigTest {
    @Test
    void exampleConfigLoadsAndMatchesTheDefaults() throws Exception {
        Path file = Files.createTempFile("example", ".yaml");
        Files.writeString(file, GenerateConfigCommand.template());
        List<org.callhs.core.spi.ConfigSection<?>> sections = new java.util.ArrayList<>();
        for (var module : ConfigOptions.modules()) sections.addAll(module.configSections());
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, List.of(), sections);
        assertThat(loaded.core()).isEqualTo(HomeserverConfig.defaults());
        for (var section : sections) {
            assertThat(GenerateConfigCommand.template()).as("example config documents " + section.key()).contains(section.key() + ":");
            assertThat((Object) loaded.section(section)).as("example values of " + section.key() + " are the defaults")
                    .isEqualTo(section.defaults());
        }
    }

    @Test
    void flagsBecomeQuotedAssignments() {
        ConfigOptions options = new ConfigOptions();
        options.serverName = "example.org:8448";
        options.sets = List.of("rate_limits.enabled=false");
        assertThat(options.assignments(List.of("listen=\"0.0.0.0:8008\""))).containsExactly(
                "server_name=\"example.org:8448\"", "listen=\"0.0.0.0:8008\"", "rate_limits.enabled=false");
        ConfigLoader.Loaded loaded = options.load(List.of(), List.of());
        assertThat(loaded.core().serverName()).isEqualTo("example.org:8448");
        assertThat(loaded.core().rateLimits().enabled()).isFalse();
    }
}
