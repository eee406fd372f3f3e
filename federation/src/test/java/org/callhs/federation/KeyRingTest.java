package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The key cache: only self-signed responses naming their server are kept; validity by timestamp; old keys until expiry. */
class KeyRingTest {
    static TestServer server;
    static FederationClient client;
    static KeyRing ring;
    static final SigningKey CURRENT = new SigningKey("cur", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
            20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    static final SigningKey OLD = new SigningKey("old", new byte[32]);

    @BeforeAll
    static void start() {
        int port = FederatedPair.freePort();
        server = FederatedPair.start(Backend.SQLITE, port);
        client = FederatedPair.clientAs(FederatedPair.name(port), FederatedPair.signingKey(server));
        ring = new KeyRing(FederatedPair.name(port), FederatedPair.signingKey(server), server.homeserver().database(),
                new KeyStoreRepository(), client, List.of(), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    static ObjectNode response(String serverName, SigningKey signer, long validUntil, boolean withOld) {
        ObjectNode body = Json.object();
        body.put("server_name", serverName);
        body.put("valid_until_ts", validUntil);
        body.putObject("verify_keys").putObject(CURRENT.keyId()).put("key", CURRENT.publicKeyBase64());
        ObjectNode old = body.putObject("old_verify_keys");
        if (withOld) old.putObject(OLD.keyId()).put("key", OLD.publicKeyBase64()).put("expired_ts", 5_000);
        return new JsonSigner(serverName, signer).sign(body);
    }

    @Test
    void selfSignedResponsesAreKeptWithTheirValidity() {
        assertThat(ring.accept("keys.example", response("keys.example", CURRENT, 10_000, true))).isTrue();
        byte[] current = UnpaddedBase64.decode(CURRENT.publicKeyBase64());
        assertThat(ring.key("keys.example", CURRENT.keyId(), 9_999)).hasValueSatisfying(k -> assertThat(k).isEqualTo(current));
        assertThat(ring.key("keys.example", CURRENT.keyId(), 10_000)).isPresent();
        // Past valid_until_ts the key is not usable (and a refetch from the unreachable server finds nothing newer).
        assertThat(ring.key("keys.example", CURRENT.keyId(), 10_001)).isEmpty();
        // An old key: usable for events before its expiry only.
        assertThat(ring.key("keys.example", OLD.keyId(), 4_000)).isPresent();
        assertThat(ring.key("keys.example", OLD.keyId(), 6_000)).isEmpty();
    }

    /** Requests arriving together from a server whose keys are unknown all wait for one fetch, and all pass. */
    @Test
    void concurrentLookupsOfAnUnknownServerShareOneFetch() throws Exception {
        int port = FederatedPair.freePort();
        try (TestServer other = FederatedPair.start(Backend.SQLITE, port)) {
            SigningKey key = FederatedPair.signingKey(other);
            byte[] expected = UnpaddedBase64.decode(key.publicKeyBase64());
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<java.util.Optional<byte[]>>> lookups = new java.util.ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    lookups.add(pool.submit(() -> {
                        go.await();
                        return ring.key(FederatedPair.name(port), key.keyId(), System.currentTimeMillis());
                    }));
                }
                go.countDown();
                for (var lookup : lookups) {
                    assertThat(lookup.get(30, java.util.concurrent.TimeUnit.SECONDS)).hasValueSatisfying(k -> assertThat(k).isEqualTo(expected));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void keysComeThroughANotaryThatSignedThem() throws Exception {
        int notaryPort = FederatedPair.freePort();
        int targetPort = FederatedPair.freePort();
        try (TestServer notary = FederatedPair.start(Backend.SQLITE, notaryPort);
             TestServer target = FederatedPair.start(Backend.SQLITE, targetPort)) {
            SigningKey notaryKey = FederatedPair.signingKey(notary);
            SigningKey targetKey = FederatedPair.signingKey(target);
            String notaryName = FederatedPair.name(notaryPort);
            String targetName = FederatedPair.name(targetPort);
            var trusted = new FederationConfig.TrustedKeyServer(notaryName, java.util.Map.of(notaryKey.keyId(), notaryKey.publicKeyBase64()));
            assertThat(ring.fetchThroughNotary(targetName, trusted)).isTrue();
            assertThat(ring.key(targetName, targetKey.keyId(), System.currentTimeMillis()))
                    .hasValueSatisfying(k -> assertThat(k).isEqualTo(UnpaddedBase64.decode(targetKey.publicKeyBase64())));
            // A notary whose configured key does not match its signature is not believed.
            var wrong = new FederationConfig.TrustedKeyServer(notaryName, java.util.Map.of(notaryKey.keyId(), OLD.publicKeyBase64()));
            assertThat(ring.fetchThroughNotary(targetName, wrong)).isFalse();
        }
    }

    @Test
    void responsesNotSignedByTheServerOrNamingAnotherAreRefused() {
        assertThat(ring.accept("forged.example", response("forged.example", OLD, 10_000, false))).isFalse();
        assertThat(ring.accept("asked.example", response("other.example", CURRENT, 10_000, false))).isFalse();
        ObjectNode tampered = response("tampered.example", CURRENT, 10_000, false);
        tampered.put("valid_until_ts", 99_999_999_999L);
        assertThat(ring.accept("tampered.example", tampered)).isFalse();
        assertThat(ring.key("forged.example", CURRENT.keyId(), 0)).isEmpty();
    }
}
