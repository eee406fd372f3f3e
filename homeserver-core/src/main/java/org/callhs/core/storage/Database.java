package org.callhs.core.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.callhs.core.spi.Migrations;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database: a HikariCP pool and a jOOQ context over SQLite (embedded default) or
 * PostgreSQL. Services open transactions with {@link #transaction(Function)} and hand the
 * transaction's {@link DSLContext} to repositories; single statements may use {@link #dsl()}.
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

    private final HikariDataSource dataSource;
    private final SQLDialect dialect;
    private final DSLContext dsl;
    /** Serialises write transactions on SQLite (null on PostgreSQL, which locks rows itself). */
    private final java.util.concurrent.locks.ReentrantLock sqliteWriter;

    private Database(HikariDataSource dataSource, SQLDialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        Settings settings = new Settings().withRenderQuotedNames(RenderQuotedNames.NEVER)
                .withExecuteLogging(false);
        this.dsl = DSL.using(dataSource, dialect, settings);
        this.sqliteWriter = dialect == SQLDialect.SQLITE ? new java.util.concurrent.locks.ReentrantLock(true) : null;
    }

    public static Database open(String jdbcUrl, int maxPoolSize) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setPoolName("homeserver-db");
        SQLDialect dialect;
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            dialect = SQLDialect.SQLITE;
            createParentDirectory(jdbcUrl.substring("jdbc:sqlite:".length()));
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            config.addDataSourceProperty("busy_timeout", "10000");
            config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
            config.addDataSourceProperty("foreign_keys", "true");
            config.setMaximumPoolSize(Math.min(maxPoolSize, 4));
        } else if (jdbcUrl.startsWith("jdbc:postgresql:")) {
            dialect = SQLDialect.POSTGRES;
            config.setMaximumPoolSize(maxPoolSize);
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
        } else {
            throw new IllegalArgumentException("Unsupported database URL (use jdbc:sqlite: or jdbc:postgresql:): " + jdbcUrl);
        }
        config.setConnectionTimeout(10_000);
        HikariDataSource dataSource = new HikariDataSource(config);
        log.atInfo().setMessage("database opened").addKeyValue("dialect", dialect.getName())
                .addKeyValue("pool", config.getMaximumPoolSize()).log();
        return new Database(dataSource, dialect);
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

    /** Applies core's and then each module's migrations, each with its own history table. */
    public void migrate(List<Migrations> all) {
        for (Migrations migrations : all) {
            var result = Flyway.configure()
                    .dataSource(dataSource)
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

    public DSLContext dsl() { return dsl; }

    public SQLDialect dialect() { return dialect; }

    public DataSource dataSource() { return dataSource; }

    /** Runs {@code work} in one transaction; it commits when {@code work} returns, rolls back when it throws. */
    public <T> T transaction(Function<DSLContext, T> work) {
        if (sqliteWriter == null) return dsl.transactionResult(configuration -> work.apply(configuration.dsl()));
        sqliteWriter.lock();
        try {
            return dsl.transactionResult(configuration -> work.apply(configuration.dsl()));
        } finally {
            sqliteWriter.unlock();
        }
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
