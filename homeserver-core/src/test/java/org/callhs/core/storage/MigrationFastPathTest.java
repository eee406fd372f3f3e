package org.callhs.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.callhs.core.Homeserver;
import org.callhs.core.spi.Migrations;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Start-up skips Flyway only when a schema has every migration the class path holds: the class
 * path's versions (SQL scripts and Java migrations) are read without Flyway and compared with the
 * history; anything else (no history, a missing or failed version, a version the class path
 * lacks) leaves the decision to Flyway.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class MigrationFastPathTest {
    @Parameter
    Backend backend;

    @Test
    void theClassPathVersionsIncludeScriptsAndJavaMigrations() {
        Set<String> versions = MigrationIndex.versions(getClass().getClassLoader(), Homeserver.CORE_MIGRATIONS.location()).orElseThrow();
        assertThat(versions).contains("1", "2", "13", "14", "16", "17", "20");
        assertThat(MigrationIndex.versions(getClass().getClassLoader(), "classpath:db/migration/nothing-here")).isEmpty();
        assertThat(MigrationIndex.versions(getClass().getClassLoader(), "filesystem:/tmp")).isEmpty();
        assertThat(MigrationIndex.normalise("01_2")).isEqualTo("1.2");
    }

    @Test
    void onlyACompleteHistorySkipsFlyway() {
        Migrations core = Homeserver.CORE_MIGRATIONS;
        try (Database database = Database.open(TestDatabases.create(backend), 4)) {
            assertThat(database.current(core)).as("no history yet").isFalse();
            database.migrate(List.of(core));
            assertThat(database.current(core)).isTrue();
            String table = core.historyTable();
            // A version missing from the history (a new migration shipped): Flyway must run, and applies it again.
            database.transaction(tx -> tx.execute("DELETE FROM " + table + " WHERE version = '20'"));
            database.transaction(tx -> tx.execute("DROP TABLE room_deletions"));
            database.transaction(tx -> tx.execute("DROP TABLE blocked_rooms"));
            assertThat(database.current(core)).isFalse();
            database.migrate(List.of(core));
            assertThat(database.current(core)).isTrue();
            assertThat(database.dsl().fetchCount(org.callhs.core.storage.schema.Tables.ROOM_DELETIONS)).isZero();
            // A failed row, or a version the class path does not have: Flyway decides.
            database.transaction(tx -> tx.execute("UPDATE " + table + " SET success = " + (backend == Backend.SQLITE ? "0" : "FALSE")
                    + " WHERE version = '19'"));
            assertThat(database.current(core)).isFalse();
            database.transaction(tx -> tx.execute("UPDATE " + table + " SET success = " + (backend == Backend.SQLITE ? "1" : "TRUE")
                    + " WHERE version = '19'"));
            assertThat(database.current(core)).isTrue();
            database.transaction(tx -> tx.execute("UPDATE " + table + " SET version = '99' WHERE version = '19'"));
            assertThat(database.current(core)).isFalse();
        }
    }
}
