package db.migration.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
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
        TimelineScan.run(connection, "event_id, room_id, event_type, sender, stream_ordering, origin_server_ts, pdu",
                "event_type IN ('m.room.message', 'm.room.name', 'm.room.topic')", EventSearchRepository.insertSql(postgres),
                (row, write) -> {
                    JsonNode pdu = json.readTree(row.getString("pdu"));
                    EventSearchRepository.Entry entry = EventSearchRepository.entryOf(row.getString("event_type"), pdu);
                    if (entry == null) return;
                    EventSearchRepository.bind(write, postgres, row.getString("event_id"), row.getString("room_id"), row.getString("sender"),
                            entry, row.getLong("stream_ordering"), row.getLong("origin_server_ts"));
                    write.addBatch();
                });
    }
}
