package org.callhs.core.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.Homeserver;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.HomeserverModule;

/**
 * An in-process homeserver on random loopback ports, over a fresh database of the given
 * backend. Registration open and rate limits off unless the test overrides them.
 */
public final class TestServer implements AutoCloseable {
    private final Homeserver homeserver;
    private final TestClient client;
    private final Path dataDir;

    private TestServer(Homeserver homeserver, Path dataDir) {
        this.homeserver = homeserver;
        this.dataDir = dataDir;
        this.client = new TestClient("http://127.0.0.1:" + homeserver.clientPort());
    }

    public static TestServer start(Backend backend, List<HomeserverModule> modules, String... sets) {
        return start(backend, modules, Clock.systemUTC(), sets);
    }

    /** A server whose idea of "now" is {@code clock} (an {@link AdjustableClock} lets a test jump ahead). */
    public static TestServer start(Backend backend, List<HomeserverModule> modules, Clock clock, String... sets) {
        return start(TestDatabases.create(backend), modules, clock, sets);
    }

    private static TestServer start(String databaseUrl, List<HomeserverModule> modules, Clock clock, String... sets) {
        try {
            Path dataDir = Files.createTempDirectory("callhs-server-");
            List<String> all = new ArrayList<>(List.of(
                    "listen=\"127.0.0.1:0\"", "federation.listen=\"127.0.0.1:0\"",
                    "data_dir=\"" + dataDir + "\"", "database.url=\"" + databaseUrl + "\"",
                    "database.max_pool_size=4", "registration.enabled=true", "rate_limits.enabled=false"));
            all.addAll(List.of(sets));
            List<ConfigSection<?>> sections = new ArrayList<>();
            modules.forEach(m -> sections.addAll(m.configSections()));
            ConfigLoader.Loaded loaded = ConfigLoader.load(null, all, sections);
            return new TestServer(Homeserver.start(loaded, modules, clock), dataDir);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code count} instances of one homeserver in cluster mode, on one fresh PostgreSQL database
     * and one signing key, named {@code hs-1}, {@code hs-2}, ...; started one after another.
     */
    public static List<TestServer> startCluster(int count, List<HomeserverModule> modules, String... sets) {
        return startCluster(count, modules, i -> new String[0], sets);
    }

    /** As {@link #startCluster(int, List, String...)}, with settings of each instance ({@code perInstance} of 1, 2, ...) last. */
    public static List<TestServer> startCluster(int count, List<HomeserverModule> modules,
                                                java.util.function.IntFunction<String[]> perInstance, String... sets) {
        String url = TestDatabases.create(Backend.POSTGRES);
        Path key;
        try {
            key = Files.createTempDirectory("callhs-cluster-").resolve("signing.key");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        List<TestServer> servers = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                List<String> all = new ArrayList<>(List.of("cluster.enabled=true",
                        "cluster.instance_name=hs-" + i, "federation.signing_key_path=\"" + key + "\""));
                all.addAll(List.of(sets));
                all.addAll(List.of(perInstance.apply(i)));
                servers.add(start(url, modules, Clock.systemUTC(), all.toArray(String[]::new)));
            }
            return servers;
        } catch (RuntimeException e) {
            servers.forEach(TestServer::close);
            throw e;
        }
    }

    public static TestServer start(Backend backend, String... sets) {
        return start(backend, List.of(), sets);
    }

    public TestClient client() { return client; }

    public Homeserver homeserver() { return homeserver; }

    public Path dataDir() { return dataDir; }

    /**
     * Makes an admin through Synapse's shared-secret registration ({@code registration.shared_secret}
     * must be {@code secret}); returns its access token. The password is {@code "pw-" + name}.
     */
    public String registerAdmin(String secret, String name) {
        return registerAdmin(client, secret, name);
    }

    /** {@link #registerAdmin(String, String)} on any server {@code client} talks to. */
    public static String registerAdmin(TestClient client, String secret, String name) {
        try {
            String nonce = client.get("/_synapse/admin/v1/register", null).text("nonce");
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA1"));
            String hex = java.util.HexFormat.of().formatHex(mac.doFinal(String.join("\0", nonce, name, "pw-" + name, "admin")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            TestClient.Resp r = client.post("/_synapse/admin/v1/register", null, org.callhs.core.util.Json.object().put("nonce", nonce)
                    .put("username", name).put("password", "pw-" + name).put("admin", true).put("mac", hex));
            if (r.status() != 200) throw new IllegalStateException("shared-secret registration failed: " + r);
            return r.text("access_token");
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The metrics listener's exposition ({@code metrics.listen} must be set). */
    public String metrics() {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + homeserver.metricsPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value of the first sample of a Prometheus exposition named {@code name} (exactly: the
     * name is followed by a space or labels) whose line contains every one of {@code labels}.
     */
    public static double sample(String exposition, String name, String... labels) {
        for (String line : exposition.split("\n")) {
            if (!(line.startsWith(name + " ") || line.startsWith(name + "{"))) continue;
            boolean all = true;
            for (String label : labels) all &= line.contains(label);
            if (all) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        throw new AssertionError("no sample " + name + " with " + String.join(", ", labels) + " in:\n" + exposition);
    }

    /** Registers a user and returns its access token. */
    public String registerToken(String localpart) {
        TestClient.Resp r = client.register(localpart, "password-" + localpart);
        if (r.status() != 200) throw new IllegalStateException("registration failed: " + r);
        return r.text("access_token");
    }

    @Override
    public void close() {
        homeserver.close();
    }

}
