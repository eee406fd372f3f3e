package db.migration.core;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * PostgreSQL only: state group IDs come from a sequence ({@code state_group_ids}), starting
 * after the last one the {@code state_groups} counter handed out. A sequence is never rolled
 * back and takes no row lock: a rolled-back transaction's group ID is never handed out again
 * (an in-memory cache of groups by ID, in this process or another instance, could otherwise hold
 * a different state under it), and a writer that holds the events counter never waits for
 * another that holds the state group counter while waiting for the events counter (a deadlock
 * PostgreSQL broke by aborting one of them). SQLite has one writer and keeps the counter.
 */
public class V14__state_group_sequence extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        if (!connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")) return;
        long last;
        try (Statement s = connection.createStatement();
             ResultSet r = s.executeQuery("SELECT GREATEST((SELECT position FROM stream_positions WHERE stream_name = 'state_groups'),"
                     + " (SELECT COALESCE(MAX(group_id), 0) FROM state_groups))")) {
            r.next();
            last = r.getLong(1);
        }
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE SEQUENCE state_group_ids START WITH " + (last + 1));
        }
    }
}
