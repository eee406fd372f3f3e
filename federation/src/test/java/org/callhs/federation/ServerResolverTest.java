package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** Discovery in the spec's order, with a fake DNS and fake well-known answers. */
class ServerResolverTest {
    final Map<String, List<Dns.Srv>> srv = new HashMap<>();
    final Map<String, ServerResolver.WellKnown> wellKnown = new HashMap<>();
    final AtomicInteger wellKnownFetches = new AtomicInteger();
    long now = 1_000_000;

    final Dns dns = new Dns() {
        @Override public List<InetAddress> addresses(String host) { return List.of(); }
        @Override public List<Srv> srv(String name) { return srv.getOrDefault(name, List.of()); }
    };

    ServerResolver resolver() {
        Clock clock = new Clock() {
            @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
            @Override public Clock withZone(java.time.ZoneId zone) { return this; }
            @Override public Instant instant() { return Instant.ofEpochMilli(now); }
        };
        return new ServerResolver(dns, host -> {
            wellKnownFetches.incrementAndGet();
            return Optional.ofNullable(wellKnown.get(host));
        }, clock);
    }

    static ServerName name(String text) { return ServerName.tryParse(text).orElseThrow(); }

    static ServerResolver.WellKnown delegation(String to, String cacheControl) {
        return new ServerResolver.WellKnown(Json.parse("{\"m.server\":\"" + to + "\"}"), cacheControl, null);
    }

    @Test
    void ipLiteralsAndExplicitPortsSkipEverythingElse() {
        ServerResolver r = resolver();
        assertThat(r.resolve(name("1.2.3.4"))).isEqualTo(new Route("1.2.3.4", 8448, "1.2.3.4", "1.2.3.4"));
        assertThat(r.resolve(name("[::1]:99"))).isEqualTo(new Route("[::1]", 99, "::1", "[::1]:99"));
        assertThat(r.resolve(name("example.org:8000"))).isEqualTo(new Route("example.org", 8000, "example.org", "example.org:8000"));
        assertThat(wellKnownFetches.get()).isZero();
    }

    @Test
    void wellKnownDelegationComesFirstThenSrvOfTheDelegatedName() {
        wellKnown.put("example.org", delegation("matrix.example.org", null));
        srv.put("_matrix-fed._tcp.matrix.example.org", List.of(new Dns.Srv("backend.example.net", 8449, 10, 5)));
        srv.put("_matrix-fed._tcp.example.org", List.of(new Dns.Srv("wrong.example.net", 1, 10, 5)));
        Route route = resolver().resolve(name("example.org"));
        assertThat(route).isEqualTo(new Route("matrix.example.org", 8449, "backend.example.net", "matrix.example.org"));
    }

    @Test
    void delegationToAnExplicitPortOrIpIsUsedAsIs() {
        wellKnown.put("a.example", delegation("matrix.a.example:443", null));
        wellKnown.put("b.example", delegation("5.6.7.8", null));
        ServerResolver r = resolver();
        assertThat(r.resolve(name("a.example"))).isEqualTo(new Route("matrix.a.example", 443, "matrix.a.example", "matrix.a.example:443"));
        assertThat(r.resolve(name("b.example"))).isEqualTo(new Route("5.6.7.8", 8448, "5.6.7.8", "5.6.7.8"));
    }

    @Test
    void withoutWellKnownSrvThenTheDeprecatedSrvThenPort8448() {
        srv.put("_matrix._tcp.old.example", List.of(new Dns.Srv("legacy.example", 7000, 0, 0)));
        srv.put("_matrix-fed._tcp.new.example", List.of(new Dns.Srv("fed.example", 9000, 0, 0)));
        ServerResolver r = resolver();
        assertThat(r.resolve(name("new.example"))).isEqualTo(new Route("new.example", 9000, "fed.example", "new.example"));
        assertThat(r.resolve(name("old.example"))).isEqualTo(new Route("old.example", 7000, "legacy.example", "old.example"));
        assertThat(r.resolve(name("plain.example"))).isEqualTo(new Route("plain.example", 8448, "plain.example", "plain.example"));
    }

    @Test
    void wellKnownAnswersAreCachedForTheirLifetimeAndFailuresForTenMinutes() {
        wellKnown.put("cached.example", delegation("m.cached.example:1", "public, max-age=3600"));
        ServerResolver r = resolver();
        r.resolve(name("cached.example"));
        r.resolve(name("cached.example"));
        assertThat(wellKnownFetches.get()).isEqualTo(1);
        now += 3_599_000;
        r.resolve(name("cached.example"));
        assertThat(wellKnownFetches.get()).isEqualTo(1);
        now += 2_000;
        r.resolve(name("cached.example"));
        assertThat(wellKnownFetches.get()).isEqualTo(2);

        r.resolve(name("missing.example"));
        now += ServerResolver.FAILURE_CACHE_MS - 1;
        r.resolve(name("missing.example"));
        assertThat(wellKnownFetches.get()).isEqualTo(3);
        now += 2;
        r.resolve(name("missing.example"));
        assertThat(wellKnownFetches.get()).isEqualTo(4);
    }

    @Test
    void cacheLifetimesAreBounded() {
        assertThat(ServerResolver.cacheMillis(new ServerResolver.WellKnown(Json.object(), null, null), 0))
                .isEqualTo(ServerResolver.DEFAULT_CACHE_MS);
        assertThat(ServerResolver.cacheMillis(new ServerResolver.WellKnown(Json.object(), "max-age=999999999", null), 0))
                .isEqualTo(ServerResolver.MAX_CACHE_MS);
        assertThat(ServerResolver.cacheMillis(new ServerResolver.WellKnown(Json.object(), null, "Thu, 01 Jan 1970 01:00:00 GMT"), 0))
                .isEqualTo(3_600_000);
        assertThat(ServerResolver.cacheMillis(new ServerResolver.WellKnown(Json.object(), "no-store", null), 0))
                .isEqualTo(ServerResolver.MIN_CACHE_MS);
        assertThat(ServerResolver.cacheMillis(new ServerResolver.WellKnown(Json.object(), "max-age=10", null), 0))
                .isEqualTo(ServerResolver.MIN_CACHE_MS);
    }
}
