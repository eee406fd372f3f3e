package org.callhs.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Creates one fresh database per call. SQLite: a file in a temp directory. PostgreSQL: a new
 * database on the server named by {@code TEST_POSTGRES_URL} (the role needs CREATEDB), or a
 * Testcontainers PostgreSQL when a Docker engine is available. Without either, PostgreSQL
 * suites fail with instructions, unless {@code -Dpostgres.tests=off} was given for a local run.
 */
public final class TestDatabases {
    private static volatile String containerUrl;
    /** PostgreSQL databases this JVM created, dropped when it exits (a suite creates hundreds). */
    private static final java.util.List<String[]> created = new java.util.ArrayList<>();

    private TestDatabases() {}

    public static String create(Backend backend) {
        return switch (backend) {
            case SQLITE -> sqlite();
            case POSTGRES -> postgres();
        };
    }

    private static String sqlite() {
        try {
            Path dir = Files.createTempDirectory("callhs-test-");
            return "jdbc:sqlite:" + dir.resolve("homeserver.db");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String postgres() {
        if ("off".equals(System.getProperty("postgres.tests"))) {
            Assumptions.abort("PostgreSQL suites disabled with -Dpostgres.tests=off (local runs only; CI runs them)");
        }
        String base = System.getenv("TEST_POSTGRES_URL");
        if (base == null || base.isBlank()) base = containerUrl();
        if (base == null) {
            throw new IllegalStateException("""
                    PostgreSQL is needed for the PostgreSQL half of this suite and none was found.
                    Provide one with: eval "$(.ci/postgres.sh start)"   (exports TEST_POSTGRES_URL)
                    or set TEST_POSTGRES_URL=jdbc:postgresql://host:port/db?user=..&password=.. (role with CREATEDB),
                    or run a Docker engine (Testcontainers), or -Dpostgres.tests=off to run only SQLite locally.""");
        }
        String name = "hs_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database on " + base + ": " + e.getMessage(), e);
        }
        dropAtExit(base, name);
        return withDatabase(base, name);
    }

    private static void dropAtExit(String base, String name) {
        synchronized (created) {
            if (created.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::dropAll, "drop-test-databases"));
            }
            created.add(new String[] {base, name});
        }
    }

    private static void dropAll() {
        synchronized (created) {
            for (String[] db : created) {
                try (Connection c = DriverManager.getConnection(db[0]); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + db[1] + " WITH (FORCE)");
                } catch (SQLException e) {
                    System.err.println("[test] could not drop database " + db[1] + ": " + e.getMessage());
                }
            }
            created.clear();
        }
    }

    /** Replaces the database name in a JDBC URL, keeping host, port and parameters. */
    static String withDatabase(String url, String database) {
        int query = url.indexOf('?');
        String head = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        int slash = head.lastIndexOf('/');
        return head.substring(0, slash + 1) + database + params;
    }

    private static synchronized String containerUrl() {
        if (containerUrl != null) return containerUrl;
        try {
            if (!org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) return null;
        } catch (Throwable e) {
            return null;
        }
        var container = new org.testcontainers.containers.PostgreSQLContainer<>("postgres:16-alpine");
        container.start();
        containerUrl = container.getJdbcUrl() + (container.getJdbcUrl().contains("?") ? "&" : "?")
                + "user=" + container.getUsername() + "&password=" + container.getPassword();
        return containerUrl;
    }
}
