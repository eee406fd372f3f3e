package db.migration.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import org.callhs.core.storage.repo.EventSearchRepository;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The full-text index of room events for {@code POST /search}, in each database's own
 * full-text search: on PostgreSQL a table with a {@code tsvector} (English configuration) and a
 * GIN index, on SQLite an FTS5 table (Porter stemmer over the unicode61 tokenizer). One row per
 * indexed key of an event ({@code content.body} of {@code m.room.message},
 * {@code content.name} of {@code m.room.name}, {@code content.topic} of {@code m.room.topic},
 * as Synapse indexes); a redaction deletes the event's rows. Then indexes the events stored
 * before this migration, in batches.
 */
public class V17__event_search extends BaseJavaMigration {
    private static final int BATCH = 1000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        boolean postgres = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        try (Statement s = connection.createStatement()) {
            if (postgres) {
                s.execute("CREATE TABLE event_search (event_id VARCHAR NOT NULL, room_id VARCHAR NOT NULL, sender VARCHAR NOT NULL,"
                        + " key VARCHAR NOT NULL, stream_ordering BIGINT NOT NULL, origin_server_ts BIGINT NOT NULL, vector TSVECTOR NOT NULL)");
                s.execute("CREATE INDEX event_search_vector ON event_search USING GIN (vector)");
                s.execute("CREATE INDEX event_search_event ON event_search (event_id)");
                s.execute("CREATE INDEX event_search_room ON event_search (room_id, stream_ordering)");
            } else {
                s.execute("CREATE VIRTUAL TABLE event_search USING fts5(value, event_id UNINDEXED, room_id UNINDEXED, sender UNINDEXED,"
                        + " key UNINDEXED, stream_ordering UNINDEXED, origin_server_ts UNINDEXED, tokenize = 'porter unicode61')");
            }
        }
        backfill(connection, postgres);
    }

    /** Indexes the stored events that have searchable text (the table must be empty). */
    public static void backfill(Connection connection, boolean postgres) throws Exception {
        ObjectMapper json = new ObjectMapper();
        long after = Long.MIN_VALUE;
        String select = "SELECT event_id, room_id, event_type, sender, stream_ordering, origin_server_ts, pdu FROM events"
                + " WHERE stream_ordering IS NOT NULL AND stream_ordering > ? AND redacted_by IS NULL AND rejected_reason IS NULL"
                + " AND soft_failed = ? AND event_type IN ('m.room.message', 'm.room.name', 'm.room.topic')"
                + " ORDER BY stream_ordering LIMIT " + BATCH;
        while (true) {
            int read = 0;
            try (PreparedStatement query = connection.prepareStatement(select);
                 PreparedStatement write = connection.prepareStatement(EventSearchRepository.insertSql(postgres))) {
                query.setLong(1, after);
                query.setBoolean(2, false);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        read++;
                        after = rows.getLong("stream_ordering");
                        JsonNode pdu = json.readTree(rows.getString("pdu"));
                        EventSearchRepository.Entry entry = EventSearchRepository.entryOf(rows.getString("event_type"), pdu);
                        if (entry == null) continue;
                        EventSearchRepository.bind(write, postgres, rows.getString("event_id"), rows.getString("room_id"),
                                rows.getString("sender"), entry, after, rows.getLong("origin_server_ts"));
                        write.addBatch();
                    }
                }
                write.executeBatch();
            }
            if (read < BATCH) return;
        }
    }
}
