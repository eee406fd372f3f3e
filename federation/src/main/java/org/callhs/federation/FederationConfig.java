package org.callhs.federation;

import java.util.List;

/**
 * The module's keys of the {@code federation} configuration section (core keeps the listener's
 * keys of the same section: {@code enabled}, {@code listen}, TLS and signing-key paths).
 *
 * @param verifyCertificates           check the TLS certificates of other servers (default true). Off
 *                                     only for loopback tests: anyone on the path could then impersonate
 *                                     a server, so start-up logs a loud warning
 * @param trustedCaFile                a PEM file of extra CA certificates to trust besides the JDK's
 *                                     (private deployments, test setups with their own CA)
 * @param ipRangeDenylist              CIDR ranges outbound requests never go to (SSRF protection, as
 *                                     Synapse's {@code ip_range_blacklist}): loopback, private, link-local
 *                                     and other non-public ranges by default
 * @param ipRangeAllowlist             CIDR ranges allowed even when the denylist names them (e.g.
 *                                     {@code 127.0.0.0/8} to federate over loopback in tests)
 * @param trustedKeyServers            notaries to fetch other servers' keys through, first; empty by
 *                                     default (keys are fetched from each server directly)
 * @param destinationMinRetryIntervalMs first wait after a failed delivery to a server; doubled on each
 *                                     further failure. Short means a server back from a restart gets its
 *                                     messages sooner; long means fewer wasted requests to a dead one.
 *                                     Any request from that server resets it
 * @param destinationMaxRetryIntervalMs the longest wait between attempts
 * @param requestTimeoutMs             the longest wait for a response from another server
 * @param connectTimeoutMs             the longest wait for a connection to another server
 * @param queryRateLimit               per origin server, on every signed endpoint but {@code /send}
 *                                     (as Synapse's {@code rc_federation}): a server over it gets 429
 *                                     {@code M_LIMIT_EXCEEDED}, and retries later
 * @param senderLeaseMs                cluster mode: how long an instance holds the right to send to a
 *                                     destination after it last renewed it (before each transaction).
 *                                     Short means a dead instance's destinations are taken over sooner; it
 *                                     should exceed {@code request_timeout_ms}, or a slow transaction may
 *                                     be sent by two instances (harmless, the destination de-duplicates)
 */
public record FederationConfig(boolean verifyCertificates, String trustedCaFile, List<String> ipRangeDenylist,
                               List<String> ipRangeAllowlist, List<TrustedKeyServer> trustedKeyServers,
                               long destinationMinRetryIntervalMs, long destinationMaxRetryIntervalMs,
                               long requestTimeoutMs, long connectTimeoutMs, RateLimit queryRateLimit, long senderLeaseMs) {
    /** A token bucket: {@code per_second} refill rate, {@code burst} capacity. */
    public record RateLimit(double perSecond, int burst) {}

    public static final String SECTION = "federation";

    /**
     * A notary.
     *
     * @param serverName its server name
     * @param verifyKeys its keys (key ID to unpadded base64); when empty, the notary's own key is
     *                   fetched from it directly
     */
    public record TrustedKeyServer(String serverName, java.util.Map<String, String> verifyKeys) {}

    /** Synapse's default {@code ip_range_blacklist}. */
    public static final List<String> DEFAULT_DENYLIST = org.callhs.core.util.IpRanges.DEFAULT_DENYLIST;

    public static FederationConfig defaults() {
        return new FederationConfig(true, "", DEFAULT_DENYLIST, List.of(), List.of(), 60_000, 3_600_000, 30_000, 10_000,
                new RateLimit(50, 200), 45_000);
    }

    /** Start-up check: every value in range, or an exception naming the key. */
    public void validate() {
        require(destinationMinRetryIntervalMs >= 100, "federation.destination_min_retry_interval_ms must be at least 100");
        require(destinationMaxRetryIntervalMs >= destinationMinRetryIntervalMs,
                "federation.destination_max_retry_interval_ms must be at least destination_min_retry_interval_ms");
        require(requestTimeoutMs >= 100, "federation.request_timeout_ms must be at least 100");
        require(connectTimeoutMs >= 100, "federation.connect_timeout_ms must be at least 100");
        require(senderLeaseMs >= 1_000, "federation.sender_lease_ms must be at least 1000");
        require(queryRateLimit != null && queryRateLimit.perSecond() > 0 && queryRateLimit.burst() > 0,
                "federation.query_rate_limit needs per_second and burst above 0");
        for (String range : ipRangeDenylist) org.callhs.core.util.IpRanges.parseCidr(range, "federation.ip_range_denylist");
        for (String range : ipRangeAllowlist) org.callhs.core.util.IpRanges.parseCidr(range, "federation.ip_range_allowlist");
        for (TrustedKeyServer notary : trustedKeyServers) {
            require(notary.serverName() != null && ServerName.tryParse(notary.serverName()).isPresent(),
                    "federation.trusted_key_servers: invalid server_name " + notary.serverName());
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) throw new org.callhs.core.config.ConfigException(message);
    }
}
