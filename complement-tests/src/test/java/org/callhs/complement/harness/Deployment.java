package org.callhs.complement.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * N homeservers for one scenario, on one {@link Backend}. Logs go to
 * {@code target/complement-logs/<deployment>/<hs>.log}, data to {@code target/complement-data/<deployment>/<hs>/}.
 *
 * <p>If {@code COMPLEMENT_BASE_URL} is set, a deployment of one homeserver with
 * {@link HomeserverOptions#defaults()} is that remote server instead; deployments the remote server
 * cannot satisfy (process control, special configuration, several servers, the PostgreSQL variant)
 * are skipped with a message saying why.
 */
public final class Deployment implements AutoCloseable {

    public static final String BASE_URL_ENV = "COMPLEMENT_BASE_URL";

    private static final Map<String, Integer> NAMES_USED = new ConcurrentHashMap<>();

    private final String name;
    private final List<Homeserver> servers;
    private final List<String> postgresUrls;
    private final String postgresAdminUrl;

    private Deployment(String name, List<Homeserver> servers, List<String> postgresUrls, String postgresAdminUrl) {
        this.name = name;
        this.servers = servers;
        this.postgresUrls = postgresUrls;
        this.postgresAdminUrl = postgresAdminUrl;
    }

    /** One homeserver with default options, named after the scenario class and the backend. */
    public static Deployment start(Backend backend, Class<?> scenario) {
        return start(backend, scenario.getSimpleName(), 1, HomeserverOptions.defaults());
    }

    public static Deployment start(Backend backend, Class<?> scenario, HomeserverOptions options) {
        return start(backend, scenario.getSimpleName(), 1, options);
    }

    /** One homeserver; {@code name} should say which scenario (and test) it is for. */
    public static Deployment start(Backend backend, String name, HomeserverOptions options) {
        return start(backend, name, 1, options);
    }

    public static Deployment start(Backend backend, String name, int count, HomeserverOptions options) {
        String remote = System.getenv(BASE_URL_ENV);
        if (remote != null && !remote.isBlank()) return remote(remote.trim(), backend, count, options);

        String adminUrl = backend == Backend.POSTGRES ? PostgresDatabases.adminUrl() : null;
        String deploymentName = uniqueName(sanitize(name + "-" + backend.name().toLowerCase()));
        Path logDir = freshDir("complement-logs", deploymentName);
        Path dataRoot = freshDir("complement-data", deploymentName);

        List<Homeserver> servers = new ArrayList<>();
        List<String> databases = new ArrayList<>();
        Deployment deployment = new Deployment(deploymentName, servers, databases, adminUrl);
        try {
            for (int i = 1; i <= count; i++) {
                String hs = "hs" + i;
                Path dataDir = dataRoot.resolve(hs).resolve("data");
                Files.createDirectories(dataDir);
                String databaseUrl = null;
                if (adminUrl != null) {
                    databaseUrl = PostgresDatabases.create(adminUrl);
                    databases.add(databaseUrl);
                }
                HomeserverProcess server = new HomeserverProcess(hs, dataDir, logDir.resolve(hs + ".log"), databaseUrl, options);
                servers.add(server);
                server.start();
            }
            return deployment;
        } catch (IOException e) {
            deployment.closeAfterFailure(e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            deployment.closeAfterFailure(e);
            throw e;
        }
    }

    /**
     * One homeserver of {@code count} instances in cluster mode: one fresh PostgreSQL database, the
     * server name and signing key of the first instance, instance names {@code hs-1}, {@code hs-2}, ...
     * Each is a process of its own ({@link #process}), started one after another.
     */
    public static Deployment startCluster(String name, int count, HomeserverOptions options) {
        skipIfRemote("runs several instances of one homeserver on one database");
        String adminUrl = PostgresDatabases.adminUrl();
        String deploymentName = uniqueName(sanitize(name + "-cluster"));
        Path logDir = freshDir("complement-logs", deploymentName);
        Path dataRoot = freshDir("complement-data", deploymentName);
        List<Homeserver> servers = new ArrayList<>();
        List<String> databases = new ArrayList<>();
        Deployment deployment = new Deployment(deploymentName, servers, databases, adminUrl);
        try {
            String databaseUrl = PostgresDatabases.create(adminUrl);
            databases.add(databaseUrl);
            String serverName = null;
            Path signingKey = null;
            for (int i = 1; i <= count; i++) {
                String hs = "hs" + i;
                Path dataDir = dataRoot.resolve(hs).resolve("data");
                Files.createDirectories(dataDir);
                HomeserverOptions instance = options.set("cluster.enabled", "true").set("cluster.instance_name", "hs-" + i);
                if (serverName != null) {
                    instance = instance.set("server_name", "\"" + serverName + "\"")
                            .set("federation.signing_key_path", "\"" + signingKey.toAbsolutePath() + "\"");
                }
                HomeserverProcess server = new HomeserverProcess(hs, dataDir, logDir.resolve(hs + ".log"), databaseUrl, instance);
                servers.add(server);
                server.start();
                if (serverName == null) {
                    serverName = server.serverName();
                    signingKey = dataDir.resolve("signing.key");
                }
            }
            return deployment;
        } catch (IOException e) {
            deployment.closeAfterFailure(e);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            deployment.closeAfterFailure(e);
            throw e;
        }
    }

    private static Deployment remote(String baseUrl, Backend backend, int count, HomeserverOptions options) {
        String why = null;
        if (backend != Backend.SQLITE) {
            why = "the remote server has its own database, so only the " + Backend.SQLITE + " variant runs against it";
        } else if (count != 1) {
            why = "this scenario needs " + count + " homeservers";
        } else if (options.processControlReason().isPresent()) {
            why = "this scenario " + options.processControlReason().get()
                    + ", which only a homeserver process started by the harness can provide";
        }
        if (why != null) Assumptions.abort(BASE_URL_ENV + " is set (" + baseUrl + "): skipped because " + why + ".");
        return new Deployment("remote", List.of(new RemoteHomeserver(URI.create(baseUrl))), List.of(), null);
    }

    /** Skips the calling test if {@code COMPLEMENT_BASE_URL} is set, before it deploys anything. */
    public static void skipIfRemote(String why) {
        String remote = System.getenv(BASE_URL_ENV);
        if (remote != null && !remote.isBlank()) {
            Assumptions.abort(BASE_URL_ENV + " is set (" + remote.trim() + "): skipped because this test " + why + ".");
        }
    }

    /** Skips the calling test against a remote server: it needs something only a local process offers. */
    public void requireProcessControl(String why) {
        if (isRemote()) Assumptions.abort(BASE_URL_ENV + " is set: skipped because this test " + why + ".");
    }

    public boolean isRemote() {
        return servers.size() == 1 && servers.get(0) instanceof RemoteHomeserver;
    }

    public String name() { return name; }

    public Homeserver hs1() { return hs(1); }

    /** The n-th homeserver, counting from 1 like complement's {@code hs1}. */
    public Homeserver hs(int n) { return servers.get(n - 1); }

    /** The n-th homeserver as a process; skips the test against a remote server. */
    public HomeserverProcess process(int n) {
        requireProcessControl("controls the homeserver process");
        return (HomeserverProcess) servers.get(n - 1);
    }

    public HomeserverProcess process1() { return process(1); }

    /** Stops every homeserver (SIGTERM, failing if one does not exit) and drops the PostgreSQL databases. */
    @Override
    public void close() {
        Throwable failure = null;
        for (Homeserver hs : servers) {
            if (hs instanceof HomeserverProcess p) {
                try {
                    p.stop();
                } catch (RuntimeException | Error e) {
                    if (failure == null) failure = e; else failure.addSuppressed(e);
                }
            }
        }
        for (String url : postgresUrls) PostgresDatabases.dropQuietly(postgresAdminUrl, url);
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
    }

    /** {@link #close()} for static fields that may be null when deploying was skipped or failed. */
    public static void close(Deployment deployment) {
        if (deployment != null) deployment.close();
    }

    private void closeAfterFailure(Throwable cause) {
        for (Homeserver hs : servers) {
            if (hs instanceof HomeserverProcess p) p.kill();
        }
        try {
            for (String url : postgresUrls) PostgresDatabases.dropQuietly(postgresAdminUrl, url);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** {@code target/<kind>/<deployment>}, emptied. */
    private static Path freshDir(String kind, String deploymentName) {
        Path dir = Path.of(System.getProperty("basedir", "."), "target").resolve(kind).resolve(deploymentName);
        deleteRecursively(dir);
        return dir;
    }

    private static String uniqueName(String base) {
        int n = NAMES_USED.merge(base, 1, Integer::sum);
        return n == 1 ? base : base + "-" + n;
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean " + dir, e);
        }
    }
}
