package org.callhs.federation;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestServer;

/**
 * In-process homeservers that federate over loopback HTTPS: each is named
 * {@code localhost:<its federation port>}, has the federation module, accepts self-signed
 * certificates and loopback destinations, and retries a failed destination after 200 ms.
 */
final class FederatedPair {
    static final String[] FEDERATION_TEST_SETTINGS = {
            "federation.verify_certificates=false", "federation.ip_range_allowlist=127.0.0.0/8",
            "federation.destination_min_retry_interval_ms=200", "federation.destination_max_retry_interval_ms=1000",
            "federation.request_timeout_ms=5000"};

    private FederatedPair() {}

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A federating server on {@code port} (its server name is {@code localhost:port}). */
    static TestServer start(Backend backend, int port, String... extra) {
        return start(backend, port, List.of(), extra);
    }

    /** A federating server on {@code port} with {@code modules} besides the federation module. */
    static TestServer start(Backend backend, int port, List<org.callhs.core.spi.HomeserverModule> modules, String... extra) {
        String[] sets = new String[FEDERATION_TEST_SETTINGS.length + 3 + extra.length];
        sets[0] = "server_name=\"localhost:" + port + "\"";
        sets[1] = "federation.listen=\"127.0.0.1:" + port + "\"";
        sets[2] = "federation.enabled=true";
        System.arraycopy(FEDERATION_TEST_SETTINGS, 0, sets, 3, FEDERATION_TEST_SETTINGS.length);
        System.arraycopy(extra, 0, sets, 3 + FEDERATION_TEST_SETTINGS.length, extra.length);
        List<org.callhs.core.spi.HomeserverModule> all = new java.util.ArrayList<>(modules);
        all.add(0, new FederationModule());
        return TestServer.start(backend, all, Clock.systemUTC(), sets);
    }

    static String name(int port) { return "localhost:" + port; }

    /** The server's signing key, read from its data directory. */
    static SigningKey signingKey(TestServer server) {
        try {
            Path file = server.dataDir().resolve("signing.key");
            String[] parts = Files.readString(file).trim().split("\\s+");
            return new SigningKey(parts[1], org.callhs.core.crypto.UnpaddedBase64.decode(parts[2]));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that signs requests as {@code origin} with {@code key}, for loopback. */
    static FederationClient clientAs(String origin, SigningKey key) {
        try {
            FederationConfig config = new FederationConfig(false, "", FederationConfig.DEFAULT_DENYLIST, List.of("127.0.0.0/8"), List.of(),
                    200, 1000, 5000, 2000, new FederationConfig.RateLimit(50, 200), 45_000);
            return new FederationClient(origin, key, config, Dns.system(), Clock.systemUTC());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
