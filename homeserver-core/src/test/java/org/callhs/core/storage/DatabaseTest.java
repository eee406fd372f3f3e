package org.callhs.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestDatabases;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The two pools and the transaction wrapper of {@link Database}, on SQLite and PostgreSQL. */
@ParameterizedClass
@EnumSource(Backend.class)
class DatabaseTest {
    @Parameter
    Backend backend;

    private Database database;

    @BeforeEach
    void open() {
        database = Database.open(TestDatabases.create(backend), 10);
        database.transaction(tx -> tx.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void poolsAreSplitBetweenReadsAndWrites() {
        assertThat(Database.writeConnections(10, SQLDialect.POSTGRES)).isEqualTo(3);
        assertThat(Database.writeConnections(2, SQLDialect.POSTGRES)).isEqualTo(1);
        assertThat(Database.writeConnections(60, SQLDialect.POSTGRES)).isEqualTo(4);
        assertThat(Database.writeConnections(10, SQLDialect.SQLITE)).isEqualTo(1);
        assertThat(database.readConnections()).isEqualTo(backend == Backend.SQLITE ? 4 : 7);
    }

    @Test
    void aTransactionCommitsWhileEveryReadConnectionIsTaken() throws Exception {
        int reads = database.readConnections();
        ExecutorService holders = Executors.newFixedThreadPool(reads);
        CountDownLatch holding = new CountDownLatch(reads);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> held = new ArrayList<>();
        try {
            for (int i = 0; i < reads; i++) {
                held.add(holders.submit(() -> database.dsl().connection(c -> {
                    holding.countDown();
                    release.await();
                })));
            }
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            // Every read connection is out: a writer must not wait for one.
            int written = database.transaction(tx -> tx.execute("INSERT INTO notes (id, body) VALUES (1, 'written')"));
            assertThat(written).isEqualTo(1);
        } finally {
            release.countDown();
            for (Future<?> f : held) f.get(10, TimeUnit.SECONDS);
            holders.shutdown();
        }
        assertThat(database.dsl().resultQuery("SELECT body FROM notes WHERE id = 1").fetchOne(0, String.class)).isEqualTo("written");
    }

    @Test
    void aTransactionThatThrowsLeavesNothingBehind() {
        assertThatThrownBy(() -> database.transaction(tx -> {
            tx.execute("INSERT INTO notes (id, body) VALUES (2, 'rolled back')");
            throw new IllegalStateException("refused half way");
        })).isInstanceOf(IllegalStateException.class).hasMessage("refused half way");
        assertThat(database.dsl().resultQuery("SELECT count(*) FROM notes WHERE id = 2").fetchOne(0, Integer.class)).isZero();
        // The connection went back clean: the next transaction commits on its own.
        database.transaction(tx -> tx.execute("INSERT INTO notes (id, body) VALUES (3, 'after')"));
        assertThat(database.dsl().resultQuery("SELECT body FROM notes WHERE id = 3").fetchOne(0, String.class)).isEqualTo("after");
    }

    @Test
    void aFailingStatementRollsBackTheWholeTransaction() {
        database.transaction(tx -> tx.execute("INSERT INTO notes (id, body) VALUES (4, 'first')"));
        assertThatThrownBy(() -> database.transaction(tx -> {
            tx.execute("INSERT INTO notes (id, body) VALUES (5, 'second')");
            return tx.execute("INSERT INTO notes (id, body) VALUES (4, 'duplicate key')");
        })).isInstanceOf(org.jooq.exception.DataAccessException.class);
        assertThat(database.dsl().resultQuery("SELECT count(*) FROM notes WHERE id = 5").fetchOne(0, Integer.class)).isZero();
    }
}
