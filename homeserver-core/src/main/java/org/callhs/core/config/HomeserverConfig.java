package org.callhs.core.config;

import java.nio.file.Path;

/**
 * Core configuration, bound from YAML (snake_case keys). Defaults are in {@link #defaults()};
 * {@code generate-config} writes the same values, with comments, to a file.
 */
public record HomeserverConfig(
        String serverName,
        String publicBaseurl,
        String listen,
        FederationConfig federation,
        String dataDir,
        DatabaseConfig database,
        ClusterConfig cluster,
        RegistrationConfig registration,
        RateLimitsConfig rateLimits,
        HttpConfig http,
        String defaultRoomVersion,
        LoggingConfig logging,
        RefreshTokensConfig refreshTokens,
        MetricsConfig metrics) {

    public record FederationConfig(boolean enabled, String listen, String tlsCertificatePath, String tlsPrivateKeyPath,
                                   String signingKeyPath) {}

    /**
     * @param url        JDBC URL; empty means SQLite at {@code <data_dir>/homeserver.db}
     * @param maxPoolSize connections, split between a write pool and a read pool (see {@code Database}): 8-16 suits PostgreSQL on
     *                   small machines (more connections than cores mostly adds context switches)
     */
    public record DatabaseConfig(String url, int maxPoolSize) {}

    /**
     * @param enabled      several instances share one PostgreSQL database (off: this process is the database's only writer)
     * @param instanceName this instance's name, unique among the instances (letters, digits, {@code . _ -}; at most 64)
     */
    public record ClusterConfig(boolean enabled, String instanceName) {
        /** The name this instance goes by: the configured one, or {@code main} for a lone instance. */
        public String effectiveInstanceName() {
            return instanceName == null || instanceName.isBlank() ? "main" : instanceName;
        }
    }

    /**
     * @param enabled       open registration (no admin involved); off by default
     * @param allowGuests   guest accounts ({@code kind=guest}); only effective while registration is open
     * @param requireToken  require {@code m.login.registration_token} with one of {@code tokens}
     * @param sharedSecret  the key of Synapse's shared-secret registration ({@code /_synapse/admin/v1/register}),
     *                      which creates accounts (administrators too) whether or not registration is open;
     *                      null or empty: off. Anyone who knows it can create administrators: keep it like a password
     */
    public record RegistrationConfig(boolean enabled, boolean allowGuests, boolean requireToken,
                                     java.util.List<String> tokens, int uiaSessionLifetimeSeconds, String sharedSecret) {}

    /** Token buckets: {@code per_second} refill rate and {@code burst} capacity. */
    public record Limit(double perSecond, int burst) {}

    /**
     * @param enabled turn all rate limiting off (tests and benchmarks); keep it on in production
     */
    public record RateLimitsConfig(boolean enabled, Limit login, Limit registration, Limit message, Limit roomCreation, Limit joins) {}

    /** @param maxBodyBytes largest accepted request body; larger ones get 413 {@code M_TOO_LARGE} */
    public record HttpConfig(long maxBodyBytes) {}

    /**
     * @param enabled                         logins and registrations that ask for a refresh token get one (off by default)
     * @param accessTokenLifetimeSeconds     how long an access token issued with a refresh token lasts
     * @param refreshTokenLifetimeSeconds    how long a refresh token lasts unless used; 0: until used
     */
    public record RefreshTokensConfig(boolean enabled, long accessTokenLifetimeSeconds, long refreshTokenLifetimeSeconds) {}

    /** @param format {@code text} or {@code json} (one JSON object per line, for log shippers) */
    public record LoggingConfig(String level, String format) {}

    /** @param listen HOST:PORT of the Prometheus listener ({@code GET /metrics}); empty: no metrics are collected */
    public record MetricsConfig(String listen) {
        public boolean enabled() { return listen != null && !listen.isBlank(); }
    }

    public static HomeserverConfig defaults() {
        return new HomeserverConfig(
                "localhost",
                "",
                "127.0.0.1:8008",
                new FederationConfig(true, "127.0.0.1:8448", "", "", ""),
                "./data",
                new DatabaseConfig("", 10),
                new ClusterConfig(false, ""),
                new RegistrationConfig(false, true, false, java.util.List.of(), 600, null),
                new RateLimitsConfig(true, new Limit(0.17, 3), new Limit(0.17, 3), new Limit(0.5, 30), new Limit(0.016, 10),
                        new Limit(0.1, 10)),
                new HttpConfig(10L * 1024 * 1024),
                "11",
                new LoggingConfig("info", "text"),
                new RefreshTokensConfig(false, 300, 0),
                new MetricsConfig(""));
    }

    public Path dataPath() { return Path.of(dataDir); }

    /** The JDBC URL actually used: the configured one, or SQLite in the data directory. */
    public String effectiveDatabaseUrl() {
        if (database.url() != null && !database.url().isBlank()) return database.url();
        return "jdbc:sqlite:" + dataPath().resolve("homeserver.db").toAbsolutePath();
    }

    /** The base URL clients use: the configured one, or {@code http://<listen>}. */
    public String effectivePublicBaseurl() {
        if (publicBaseurl != null && !publicBaseurl.isBlank()) {
            return publicBaseurl.endsWith("/") ? publicBaseurl.substring(0, publicBaseurl.length() - 1) : publicBaseurl;
        }
        return "http://" + listen;
    }

    public Path signingKeyPath() {
        String configured = federation.signingKeyPath();
        return configured == null || configured.isBlank() ? dataPath().resolve("signing.key") : Path.of(configured);
    }
}
