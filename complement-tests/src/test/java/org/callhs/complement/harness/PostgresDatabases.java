package org.callhs.complement.harness;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Assumptions;

/**
 * One fresh PostgreSQL database per homeserver, created next to the database of
 * {@code TEST_POSTGRES_URL} (whose role must have CREATEDB) and dropped afterwards.
 */
public final class PostgresDatabases {

    public static final String URL_ENV = "TEST_POSTGRES_URL";
    public static final String SWITCH_PROPERTY = "postgres.tests";

    private PostgresDatabases() {}

    /**
     * Skips when {@code -Dpostgres.tests=off}; fails (never skips) when PostgreSQL is simply missing,
     * so that CI cannot silently lose the PostgreSQL half of the suite.
     */
    public static String adminUrl() {
        if ("off".equalsIgnoreCase(System.getProperty(SWITCH_PROPERTY, "on").trim())) {
            Assumptions.abort("PostgreSQL variant skipped: -D" + SWITCH_PROPERTY + "=off");
        }
        String url = System.getenv(URL_ENV);
        if (url == null || url.isBlank()) {
            throw new AssertionError("The PostgreSQL variant of this scenario needs PostgreSQL, but " + URL_ENV
                    + " is not set. Start one with `eval \"$(.ci/postgres.sh start)\"` (it exports " + URL_ENV
                    + ", e.g. jdbc:postgresql://127.0.0.1:55432/matrix_test?user=matrix&password=matrix; the role needs"
                    + " CREATEDB), or skip PostgreSQL locally with -D" + SWITCH_PROPERTY + "=off.");
        }
        return url.trim();
    }

    /** Creates {@code hs_<random>} and returns its JDBC URL (same host, port and parameters as the admin URL). */
    public static String create(String adminUrl) {
        String name = "hs_" + Names.random(12);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new AssertionError("cannot create database " + name + " via " + redact(adminUrl) + ": " + e, e);
        }
        return withDatabase(adminUrl, name);
    }

    /** Drops the database of {@code url}; failures are only reported. */
    public static void dropQuietly(String adminUrl, String url) {
        String name = databaseName(url);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            try {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (SQLException beforePg13) {
                s.execute("DROP DATABASE IF EXISTS " + name);
            }
        } catch (SQLException e) {
            System.err.println("[complement] could not drop database " + name + ": " + e);
        }
    }

    /** {@code jdbc:postgresql://h:p/db?x=y} with {@code db} replaced. */
    static String withDatabase(String url, String database) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        String prefix = "jdbc:postgresql://";
        int slash = base.indexOf('/', prefix.length());
        if (!base.startsWith(prefix) || slash < 0) {
            throw new AssertionError(URL_ENV + " must look like jdbc:postgresql://HOST:PORT/DB?user=..&password=..,"
                    + " got " + redact(url));
        }
        return base.substring(0, slash + 1) + database + params;
    }

    static String databaseName(String url) {
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        return base.substring(base.lastIndexOf('/') + 1);
    }

    static String redact(String url) {
        return url.replaceAll("password=[^&]*", "password=***");
    }
}
