package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;

/** {@code federation.query_rate_limit}: per origin server on the query endpoints, 429 beyond it; /send is not limited. */
class FederationRateLimitTest {
    @Test
    void queriesArePerOriginRateLimitedAndTransactionsAreNot() throws Exception {
        int portA = FederatedPair.freePort();
        int portB = FederatedPair.freePort();
        try (TestServer a = FederatedPair.start(Backend.SQLITE, portA, "rate_limits.enabled=true",
                "federation.query_rate_limit.per_second=0.01", "federation.query_rate_limit.burst=2");
             TestServer b = FederatedPair.start(Backend.SQLITE, portB);
             FederationClient asB = FederatedPair.clientAs(FederatedPair.name(portB), FederatedPair.signingKey(b))) {
            String target = "/_matrix/federation/v1/query/profile?user_id=" + Paths.query("@nobody:" + FederatedPair.name(portA));
            for (int i = 0; i < 2; i++) {
                try {
                    asB.request(FederatedPair.name(portA), "GET", target, null, 10_000);
                } catch (FederationException e) {
                    assertThat(e.status()).isEqualTo(404);
                }
            }
            try {
                asB.request(FederatedPair.name(portA), "GET", target, null, 10_000);
                throw new AssertionError("expected 429");
            } catch (FederationException e) {
                assertThat(e.status()).isEqualTo(429);
                assertThat(e.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
            }
            for (int i = 0; i < 3; i++) {
                var body = org.callhs.core.util.Json.object().put("origin", FederatedPair.name(portB)).put("origin_server_ts", 1);
                body.putArray("pdus");
                assertThat(asB.request(FederatedPair.name(portA), "PUT", "/_matrix/federation/v1/send/rl" + i, body, 10_000).has("pdus"))
                        .isTrue();
            }
        }
    }
}
