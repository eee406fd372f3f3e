package org.callhs.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.callhs.core.spi.ConfigSection;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    record ModuleConfig(long maxDelayMs, boolean enabled) {}

    static final ConfigSection<ModuleConfig> SECTION = new ConfigSection<>("delayed", ModuleConfig.class, new ModuleConfig(1000, true));

    @Test
    void defaultsFileFlagsAndSetsLayerInOrder() throws Exception {
        Path file = Files.createTempFile("hs", ".yaml");
        Files.writeString(file, "server_name: example.org\nrate_limits:\n  login:\n    burst: 7\ndelayed:\n  max_delay_ms: 5\n");
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, List.of("rate_limits.enabled=false", "delayed.enabled=false",
                "registration.tokens=[a, b]"), List.of(SECTION));
        HomeserverConfig c = loaded.core();
        assertThat(c.serverName()).isEqualTo("example.org");
        assertThat(c.rateLimits().login().burst()).isEqualTo(7);
        assertThat(c.rateLimits().login().perSecond()).isEqualTo(0.17);
        assertThat(c.rateLimits().enabled()).isFalse();
        assertThat(c.registration().tokens()).containsExactly("a", "b");
        assertThat(loaded.section(SECTION)).isEqualTo(new ModuleConfig(5, false));
        assertThat(c.effectiveDatabaseUrl()).startsWith("jdbc:sqlite:").endsWith("homeserver.db");
    }

    @Test
    void environmentVariablesSitBetweenTheFileAndTheSets() throws Exception {
        Path file = Files.createTempFile("hs", ".yaml");
        Files.writeString(file, "server_name: example.org\nregistration:\n  enabled: false\n");
        java.util.Map<String, String> env = java.util.Map.of(
                "CALLHS__SERVER_NAME", "env.example",
                "CALLHS__REGISTRATION__ENABLED", "true",
                "CALLHS__REGISTRATION__SHARED_SECRET", "1234",
                "CALLHS__DELAYED__MAX_DELAY_MS", "9",
                "CALLHS__RATE_LIMITS__LOGIN__BURST", "4",
                "CALLHS_LIVEKIT", "/not/config",
                "PATH", "/usr/bin");
        ConfigLoader.Loaded loaded = ConfigLoader.load(file, env, List.of("rate_limits.login.burst=5"), List.of(SECTION));
        assertThat(loaded.core().serverName()).isEqualTo("env.example");
        assertThat(loaded.core().registration().enabled()).isTrue();
        assertThat(loaded.core().registration().sharedSecret()).isEqualTo("1234");
        assertThat(loaded.core().rateLimits().login().burst()).isEqualTo(5);
        assertThat(loaded.section(SECTION).maxDelayMs()).isEqualTo(9);
    }

    @Test
    void badEnvironmentVariablesNameTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of("CALLHS__", "x"), List.of(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CALLHS__ does not name a config key");
        assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of("CALLHS__RATE_LIMITS___LOGIN", "x"), List.of(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CALLHS__RATE_LIMITS___LOGIN");
        assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of("CALLHS__SERVER-NAME", "x"), List.of(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CALLHS__SERVER-NAME");
        assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of("CALLHS__SERVER_NAME", "[unclosed"), List.of(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("CALLHS__SERVER_NAME").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(null, java.util.Map.of("CALLHS__RATE_LIMITS__LOGN__BURST", "3"), List.of(), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rate_limits.logn").hasMessageContaining("unknown key");
    }

    @Test
    void unknownKeysAndBadValuesNameTheKey() {
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("rate_limits.logn.burst=3"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rate_limits.logn").hasMessageContaining("unknown key");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("rate_limits.login.burst=lots"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rate_limits.login.burst");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("rate_limits.enabled=maybe"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rate_limits.enabled");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("delayed.max_delay_ms=1.5"), List.of(SECTION)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("delayed.max_delay_ms");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("listen=nowhere"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'listen'");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("server_name=\"bad name\""), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server_name");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("database.url=jdbc:mysql://x"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("database.url");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("noequals"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dotted.key=value");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("registration.require_token=true"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("registration.tokens");
    }

    @Test
    void severalInstancesNeedPostgresqlAndANamePerInstance() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of("cluster.enabled=true", "cluster.instance_name=a"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.enabled").hasMessageContaining("PostgreSQL");
        String postgres = "database.url=jdbc:postgresql://127.0.0.1/db";
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of(postgres, "cluster.enabled=true"), List.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.instance_name");
        assertThatThrownBy(() -> ConfigLoader.load(null, List.of(postgres, "cluster.enabled=true", "cluster.instance_name=\"a b\""),
                List.of())).isInstanceOf(ConfigException.class).hasMessageContaining("cluster.instance_name");
        HomeserverConfig c = ConfigLoader.load(null, List.of(postgres, "cluster.enabled=true", "cluster.instance_name=hs-2"), List.of())
                .core();
        assertThat(c.cluster().enabled()).isTrue();
        assertThat(c.cluster().effectiveInstanceName()).isEqualTo("hs-2");
        assertThat(ConfigLoader.load(null, List.of(), List.of()).core().cluster().effectiveInstanceName()).isEqualTo("main");
    }
}
