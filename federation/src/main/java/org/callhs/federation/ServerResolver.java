package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Server discovery (Server-Server API "Resolving server names"), in the spec's order:
 * <ol>
 * <li>an IP literal: that address, with the given port or 8448; {@code Host} is the server name;
 * <li>a hostname with a port: that host and port; {@code Host} is the server name;
 * <li>otherwise {@code https://<hostname>/.well-known/matrix/server}: its {@code m.server}
 *     (the delegated name) goes through 1, 2, then SRV, then port 8448, with {@code Host} and
 *     the certificate name being the delegated hostname;
 * <li>without a well-known: SRV {@code _matrix-fed._tcp.<hostname>}, then the deprecated
 *     {@code _matrix._tcp.<hostname>}, then {@code <hostname>:8448}; the certificate must name
 *     the hostname, not the SRV target.
 * </ol>
 * Well-known answers are cached as their {@code Cache-Control: max-age} or {@code Expires} say
 * (24 hours without either, 5 minutes at least and 48 hours at most, as Synapse bounds them);
 * failures for 10 minutes (the spec allows up to an hour).
 */
public final class ServerResolver {
    static final long DEFAULT_CACHE_MS = 24 * 3_600_000L;
    static final long MAX_CACHE_MS = 48 * 3_600_000L;
    static final long FAILURE_CACHE_MS = 10 * 60_000L;
    static final long MIN_CACHE_MS = 5 * 60_000L;
    private static final Pattern MAX_AGE = Pattern.compile("max-age\\s*=\\s*(\\d+)", Pattern.CASE_INSENSITIVE);

    /** What fetching a well-known answered: the body and its caching headers, or nothing usable. */
    public record WellKnown(JsonNode body, String cacheControl, String expires) {}

    /** Fetches {@code https://<host>/.well-known/matrix/server}; empty on any failure. */
    @FunctionalInterface
    public interface WellKnownFetcher {
        Optional<WellKnown> fetch(String hostname);
    }

    private record Cached(Optional<ServerName> delegated, long expiresAt) {}

    private final Dns dns;
    private final WellKnownFetcher wellKnown;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> wellKnownCache = new ConcurrentHashMap<>();

    public ServerResolver(Dns dns, WellKnownFetcher wellKnown, Clock clock) {
        this.dns = dns;
        this.wellKnown = wellKnown;
        this.clock = clock;
    }

    public Route resolve(ServerName name) {
        if (name.isIpLiteral()) return new Route(name.host(), name.hasPort() ? name.port() : 8448, name.bareHost(), name.toString());
        if (name.hasPort()) return new Route(name.host(), name.port(), name.host(), name.toString());
        Optional<ServerName> delegated = delegation(name.host());
        if (delegated.isPresent()) {
            ServerName d = delegated.get();
            if (d.isIpLiteral()) return new Route(d.host(), d.hasPort() ? d.port() : 8448, d.bareHost(), d.toString());
            if (d.hasPort()) return new Route(d.host(), d.port(), d.host(), d.toString());
            return srvOrDefault(d.host());
        }
        return srvOrDefault(name.host());
    }

    private Route srvOrDefault(String hostname) {
        for (String service : List.of("_matrix-fed._tcp.", "_matrix._tcp.")) {
            List<Dns.Srv> records = dns.srv(service + hostname);
            if (!records.isEmpty()) {
                Dns.Srv best = records.get(0);
                return new Route(hostname, best.port(), best.target(), hostname);
            }
        }
        return new Route(hostname, 8448, hostname, hostname);
    }

    private Optional<ServerName> delegation(String hostname) {
        long now = clock.millis();
        Cached cached = wellKnownCache.get(hostname);
        if (cached != null && cached.expiresAt() > now) return cached.delegated();
        Optional<WellKnown> answer = wellKnown.fetch(hostname);
        Optional<ServerName> delegated = answer.flatMap(w -> w.body().path("m.server").isTextual()
                ? ServerName.tryParse(w.body().get("m.server").textValue()) : Optional.empty());
        long ttl = delegated.isPresent() ? cacheMillis(answer.get(), now) : FAILURE_CACHE_MS;
        wellKnownCache.put(hostname, new Cached(delegated, now + ttl));
        return delegated;
    }

    /** How long a well-known answer is cached: its max-age, else its Expires, else 24 h; at least 5 minutes, at most 48 h. */
    static long cacheMillis(WellKnown answer, long now) {
        return Math.max(MIN_CACHE_MS, headerMillis(answer, now));
    }

    private static long headerMillis(WellKnown answer, long now) {
        long ttl = DEFAULT_CACHE_MS;
        if (answer.cacheControl() != null) {
            if (answer.cacheControl().toLowerCase(java.util.Locale.ROOT).contains("no-store")) return 0;
            Matcher m = MAX_AGE.matcher(answer.cacheControl());
            if (m.find()) ttl = Math.min(Long.parseLong(m.group(1).length() > 12 ? "999999999999" : m.group(1)) * 1000, MAX_CACHE_MS);
        } else if (answer.expires() != null) {
            try {
                long at = java.time.ZonedDateTime.parse(answer.expires(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli();
                ttl = Math.max(0, at - now);
            } catch (java.time.format.DateTimeParseException ignored) {
                // an unparseable Expires: the default applies
            }
        }
        return Math.min(ttl, MAX_CACHE_MS);
    }
}
