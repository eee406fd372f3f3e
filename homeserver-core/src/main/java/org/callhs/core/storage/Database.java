package org.callhs.core.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.callhs.core.spi.Migrations;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database: two HikariCP pools and a jOOQ context over SQLite (embedded default) or
 * PostgreSQL. Services open transactions with {@link #transaction(Function)} and hand the
 * transaction's {@link DSLContext} to repositories; single statements may use {@link #dsl()}.
 *
 * <p>Write transactions have a pool of their own ({@link #writeConnections(int, SQLDialect)}),
 * apart from the read pool that {@link #dsl()} uses. A writer often holds a room's lock while
 * it waits for its connection; in one shared pool it queued behind hundreds of woken
 * {@code /sync} reads, and every other send into the room queued behind it (measured on
 * PostgreSQL: a call of 500 whose joins waited 30 s while each one woke 500 long-polls). No
 * transaction may open another: the write pool can be as small as one connection.
 *
 * <p>SQLite settings: WAL journal (readers never block the writer), {@code synchronous=FULL}
 * (every commit is on disk before it is acknowledged; NORMAL would be faster but can lose the
 * last commits on power loss), {@code transaction_mode=IMMEDIATE} (a transaction takes the
 * write lock when it begins, so two writers queue on the busy timeout instead of failing with
 * SQLITE_BUSY half way), and a 10 s busy timeout (also covers {@code register-user} writing to
 * the database of a running server). SQLite has one writer; within this process, write
 * transactions also queue on a fair lock before they begin, because SQLite's busy handler
 * waits by sleeping with back-off, which under concurrent writers left seconds-long latency
 * tails (measured: max 2 s at 1,500 sends/s) and idle CPU.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final int SQLITE_MAX_READ_CONNECTIONS = 4;
    private static final int MAX_WRITE_CONNECTIONS = 4;

    private final HikariDataSource readSource;
    private final HikariDataSource writeSource;
    private final String jdbcUrl;
    private final SQLDialect dialect;
    private final DSLContext dsl;
    private final Settings settings;
    private final int readConnections;
    /** Serialises write transactions on SQLite (null on PostgreSQL, which locks rows itself). */
    private final java.util.concurrent.locks.ReentrantLock sqliteWriter;

    private Database(String jdbcUrl, HikariDataSource readSource, HikariDataSource writeSource, SQLDialect dialect) {
        this.jdbcUrl = jdbcUrl;
        this.readSource = readSource;
        this.writeSource = writeSource;
        this.dialect = dialect;
        this.settings = new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER)
                .withExecuteLogging(false);
        this.dsl = DSL.using(readSource, dialect, settings);
        this.readConnections = readSource.getMaximumPoolSize();
        this.sqliteWriter = dialect == SQLDialect.SQLITE ? new java.util.concurrent.locks.ReentrantLock(true) : null;
    }

    /**
     * Opens both pools. {@code maxPoolSize} is the PostgreSQL total: {@link #writeConnections}
     * of it for write transactions, the rest (at least one) for reads. On SQLite reads get at
     * most {@value #SQLITE_MAX_READ_CONNECTIONS} and writes one, its single writer.
     */
    public static Database open(String jdbcUrl, int maxPoolSize) {
        SQLDialect dialect = dialectOf(jdbcUrl);
        int writes = writeConnections(maxPoolSize, dialect);
        int reads = dialect == SQLDialect.SQLITE ? Math.min(maxPoolSize, SQLITE_MAX_READ_CONNECTIONS) : Math.max(1, maxPoolSize - writes);
        if (dialect == SQLDialect.SQLITE) createParentDirectory(jdbcUrl.substring("jdbc:sqlite:".length()));
        HikariDataSource readSource = new HikariDataSource(poolConfig(jdbcUrl, dialect, "homeserver-db-read", reads));
        HikariDataSource writeSource;
        try {
            writeSource = new HikariDataSource(poolConfig(jdbcUrl, dialect, "homeserver-db-write", writes));
        } catch (RuntimeException e) {
            readSource.close();
            throw e;
        }
        log.atInfo().setMessage("database opened").addKeyValue("dialect", dialect.getName())
                .addKeyValue("read_pool", reads).addKeyValue("write_pool", writes).log();
        return new Database(jdbcUrl, readSource, writeSource, dialect);
    }

    /** Publishes both pools' meters (HikariCP's {@code hikaricp_*}, by pool name) to {@code meters}. */
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry meters) {
        readSource.setMetricRegistry(meters);
        writeSource.setMetricRegistry(meters);
    }

    /** How long start-up waits for PostgreSQL to accept connections. */
    static final long POSTGRES_STARTUP_WAIT_MS = 60_000;

    /** Connections kept for write transactions: SQLite's single writer, else a third of the pool, 1 to {@value #MAX_WRITE_CONNECTIONS}. */
    static int writeConnections(int maxPoolSize, SQLDialect dialect) {
        if (dialect == SQLDialect.SQLITE) return 1;
        return Math.max(1, Math.min(MAX_WRITE_CONNECTIONS, maxPoolSize / 3));
    }

    private static SQLDialect dialectOf(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:sqlite:")) return SQLDialect.SQLITE;
        if (jdbcUrl.startsWith("jdbc:postgresql:")) return SQLDialect.POSTGRES;
        throw new IllegalArgumentException("Unsupported database URL (use jdbc:sqlite: or jdbc:postgresql:): " + jdbcUrl);
    }

    private static HikariConfig poolConfig(String jdbcUrl, SQLDialect dialect, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setConnectionTimeout(10_000);
        if (dialect == SQLDialect.SQLITE) {
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            config.addDataSourceProperty("busy_timeout", "10000");
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.addDataSourceProperty("foreign_keys", "true");
        } else {
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            // A server started with its database (compose, a reboot) waits for PostgreSQL to accept
            // connections rather than exiting at once; after this it stops with the connection error.
            config.setInitializationFailTimeout(POSTGRES_STARTUP_WAIT_MS);
        }
        return config;
    }

    private static void createParentDirectory(String file) {
        int query = file.indexOf('?');
        Path path = Path.of(query >= 0 ? file.substring(0, query) : file).toAbsolutePath();
        try {
            Files.createDirectories(path.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create database directory " + path.getParent(), e);
        }
    }

    /**
     * Applies core's and then each module's migrations, each with its own history table, over
     * connections of Flyway's own (it may hold two at once: more than the write pool has).
     */
    public void migrate(List<Migrations> all) {
        for (Migrations migrations : all) {
            if (current(migrations)) continue;
            var result = Flyway.configure()
                    .dataSource(jdbcUrl, null, null)
                    .locations(migrations.location())
                    .table(migrations.historyTable())
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                log.atInfo().setMessage("schema migrated").addKeyValue("owner", migrations.owner())
                        .addKeyValue("applied", result.migrationsExecuted).addKeyValue("version", result.targetSchemaVersion).log();
            }
        }
    }

    /**
     * Whether the schema already has every migration of {@code migrations}: each version on the
     * class path is in its history as applied, nothing there failed, and the history names no
     * version the class path lacks. Then start-up skips Flyway (its classes and its scan cost
     * about 0.4 s for six histories); on any doubt (no history yet, an unreadable location) Flyway
     * decides, validation included.
     */
    boolean current(Migrations migrations) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        java.util.Optional<java.util.Set<String>> available = MigrationIndex.versions(
                loader != null ? loader : Database.class.getClassLoader(), migrations.location());
        if (available.isEmpty() || available.get().isEmpty()) return false;
        java.util.Set<String> applied = new java.util.HashSet<>();
        try {
            for (org.jooq.Record row : dsl.fetch("SELECT version, success FROM " + migrations.historyTable())) {
                Object success = row.get(1);
                boolean ok = success instanceof Boolean b ? b : success instanceof Number n && n.intValue() != 0;
                if (!ok) return false;
                String version = row.get(0, String.class);
                if (version != null) applied.add(MigrationIndex.normalise(version));
            }
        } catch (org.jooq.exception.DataAccessException e) {
            return false; // no history table yet: a first start
        }
        applied.remove("0"); // the baseline of a module added to an existing database
        return applied.equals(available.get());
    }

    public DSLContext dsl() { return dsl; }

    /** The JDBC URL it was opened with. */
    public String jdbcUrl() { return jdbcUrl; }

    public SQLDialect dialect() { return dialect; }

    /** Connections in the read pool: how many reads can run at once. */
    public int readConnections() { return readConnections; }

    /**
     * Runs {@code work} in one transaction on a write connection; it commits when {@code work}
     * returns, rolls back when it throws. Plain JDBC rather than jOOQ's transaction provider,
     * which asks PostgreSQL for the isolation level three times per transaction: three round
     * trips more per send, under the room's lock.
     */
    public <T> T transaction(Function<DSLContext, T> work) {
        if (sqliteWriter == null) return inTransaction(work);
        sqliteWriter.lock();
        try {
            return inTransaction(work);
        } finally {
            sqliteWriter.unlock();
        }
    }

    /**
     * Runs one write statement on a write connection in autocommit mode: the statement is its
     * own transaction, durable when it returns, in one round trip instead of the two of
     * {@link #transaction} (the statement, then the commit). For work that is a single statement
     * and reads nothing it must hold; {@code work} must not run more than one write.
     */
    public <T> T autocommit(Function<DSLContext, T> work) {
        if (sqliteWriter != null) sqliteWriter.lock();
        try (Connection connection = writeSource.getConnection()) {
            return work.apply(DSL.using(connection, dialect, settings));
        } catch (SQLException e) {
            throw new DataAccessException("statement failed: " + e.getMessage(), e);
        } finally {
            if (sqliteWriter != null) sqliteWriter.unlock();
        }
    }

    private <T> T inTransaction(Function<DSLContext, T> work) {
        try (Connection connection = writeSource.getConnection()) {
            connection.setAutoCommit(false);
            DSLContext tx = DSL.using(connection, dialect, settings);
            T result;
            try {
                result = work.apply(tx);
            } catch (RuntimeException | Error e) {
                runRollbackHooks(tx, e);
                try {
                    connection.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                runRollbackHooks(tx, e);
                throw e;
            }
            return result;
        } catch (SQLException e) {
            throw new DataAccessException("transaction failed: " + e.getMessage(), e);
        }
    }

    private static final String ROLLBACK_HOOKS = "callhs.rollback-hooks";

    /**
     * Runs {@code hook} if the transaction {@code tx} does not commit, before its rollback: for
     * in-memory state a transaction updated ahead of its commit (a cache entry under an ID the
     * rollback will hand out again).
     */
    @SuppressWarnings("unchecked")
    public static void onRollback(DSLContext tx, Runnable hook) {
        ((java.util.List<Runnable>) tx.configuration().data().computeIfAbsent(ROLLBACK_HOOKS, k -> new java.util.ArrayList<Runnable>()))
                .add(hook);
    }

    @SuppressWarnings("unchecked")
    private static void runRollbackHooks(DSLContext tx, Throwable cause) {
        Object hooks = tx.configuration().data().get(ROLLBACK_HOOKS);
        if (hooks == null) return;
        for (Runnable hook : (java.util.List<Runnable>) hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    @Override
    public void close() {
        try {
            writeSource.close();
        } finally {
            readSource.close();
        }
    }
}
