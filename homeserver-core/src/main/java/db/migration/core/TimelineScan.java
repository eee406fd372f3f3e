package db.migration.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Walks the accepted, unredacted timeline events that migrations index (V16, V17) in batches
 * by stream position, so a large database is never loaded at once, and writes what each row
 * gives through one batched insert per batch.
 */
final class TimelineScan {
    private static final int BATCH = 1000;

    /** Adds an insert for one event row, or nothing. */
    @FunctionalInterface
    interface Indexer {
        void index(ResultSet row, PreparedStatement insert) throws Exception;
    }

    private TimelineScan() {}

    /**
     * @param columns the {@code events} columns the indexer reads ({@code stream_ordering} among them)
     * @param where   further conditions on {@code events}
     */
    static void run(Connection connection, String columns, String where, String insert, Indexer indexer) throws Exception {
        String select = "SELECT " + columns + " FROM events WHERE stream_ordering IS NOT NULL AND stream_ordering > ?"
                + " AND redacted_by IS NULL AND rejected_reason IS NULL AND soft_failed = ? AND " + where
                + " ORDER BY stream_ordering LIMIT " + BATCH;
        long after = Long.MIN_VALUE;
        while (true) {
            int read = 0;
            try (PreparedStatement query = connection.prepareStatement(select); PreparedStatement write = connection.prepareStatement(insert)) {
                query.setLong(1, after);
                query.setBoolean(2, false);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        read++;
                        after = rows.getLong("stream_ordering");
                        indexer.index(rows, write);
                    }
                }
                write.executeBatch();
            }
            if (read < BATCH) return;
        }
    }
}
