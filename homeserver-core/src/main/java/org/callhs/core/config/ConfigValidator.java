package org.callhs.core.config;

import java.util.Set;
import org.callhs.core.util.HostPort;
import org.callhs.core.util.MatrixIds;

/** Checks the values that type binding cannot: formats and ranges. Messages name the key. */
final class ConfigValidator {
    private static final Set<String> ROOM_VERSIONS = Set.copyOf(org.callhs.core.event.RoomVersion.supportedIds());

    private ConfigValidator() {}

    static void validate(HomeserverConfig c) {
        require(c.serverName() != null && MatrixIds.isValidServerName(c.serverName()), "server_name",
                "must be a valid server name (host or host:port), got '" + c.serverName() + "'");
        requireHostPort(c.listen(), "listen");
        requireHostPort(c.federation().listen(), "federation.listen");
        if (c.metrics().enabled()) requireHostPort(c.metrics().listen(), "metrics.listen");
        require(c.dataDir() != null && !c.dataDir().isBlank(), "data_dir", "must not be empty");
        String url = c.database().url();
        require(url == null || url.isBlank() || url.startsWith("jdbc:sqlite:") || url.startsWith("jdbc:postgresql:"),
                "database.url", "must be a jdbc:sqlite: or jdbc:postgresql: URL");
        require(c.database().maxPoolSize() >= 1 && c.database().maxPoolSize() <= 200, "database.max_pool_size", "must be 1..200");
        if (c.cluster().enabled()) {
            require(url != null && url.startsWith("jdbc:postgresql:"), "cluster.enabled",
                    "needs PostgreSQL (database.url jdbc:postgresql:...): several instances cannot share a SQLite database");
            require(c.cluster().instanceName() != null && !c.cluster().instanceName().isBlank(), "cluster.instance_name",
                    "must be set (unique per instance) when cluster.enabled is true");
        }
        require(c.cluster().instanceName() == null || c.cluster().instanceName().isBlank()
                        || c.cluster().instanceName().matches("[A-Za-z0-9._-]{1,64}"), "cluster.instance_name",
                "must be 1-64 letters, digits, '.', '_' or '-', got '" + c.cluster().instanceName() + "'");
        requireLimit(c.rateLimits().login(), "rate_limits.login");
        requireLimit(c.rateLimits().registration(), "rate_limits.registration");
        requireLimit(c.rateLimits().message(), "rate_limits.message");
        requireLimit(c.rateLimits().roomCreation(), "rate_limits.room_creation");
        requireLimit(c.rateLimits().joins(), "rate_limits.joins");
        require(c.http().maxBodyBytes() >= 1024, "http.max_body_bytes", "must be at least 1024");
        require(ROOM_VERSIONS.contains(c.defaultRoomVersion()), "default_room_version", "must be one of " + ROOM_VERSIONS);
        require(Set.of("text", "json").contains(c.logging().format()), "logging.format", "must be text or json");
        require(Set.of("trace", "debug", "info", "warn", "error").contains(c.logging().level()), "logging.level",
                "must be trace, debug, info, warn or error");
        require(c.registration().uiaSessionLifetimeSeconds() > 0, "registration.uia_session_lifetime_seconds", "must be positive");
        require(c.refreshTokens().accessTokenLifetimeSeconds() > 0, "refresh_tokens.access_token_lifetime_seconds", "must be positive");
        require(c.refreshTokens().refreshTokenLifetimeSeconds() >= 0, "refresh_tokens.refresh_token_lifetime_seconds",
                "must not be negative (0: until used)");
        require(!c.registration().requireToken() || !c.registration().tokens().isEmpty(), "registration.tokens",
                "must list at least one token when registration.require_token is true");
        String certificate = c.federation().tlsCertificatePath();
        String key = c.federation().tlsPrivateKeyPath();
        require(certificate.isBlank() == key.isBlank(), "federation.tls_certificate_path",
                "and federation.tls_private_key_path must be set together");
    }

    private static void requireHostPort(String value, String key) {
        try {
            HostPort.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config key '" + key + "': " + e.getMessage());
        }
    }

    private static void requireLimit(HomeserverConfig.Limit limit, String key) {
        require(limit.perSecond() >= 0, key + ".per_second", "must not be negative");
        require(limit.burst() >= 1, key + ".burst", "must be at least 1");
    }

    private static void require(boolean ok, String key, String message) {
        if (!ok) throw new ConfigException("config key '" + key + "': " + message);
    }
}
