package db.migration.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Fills {@code event_relations} (V15) for the timeline events stored before it: every
 * unredacted, accepted timeline event whose content has an {@code m.relates_to} with a string
 * {@code rel_type} and {@code event_id}. Reads the events in batches by stream position, so a
 * large database is not loaded at once.
 */
public class V16__event_relations_backfill extends BaseJavaMigration {
    private static final int BATCH = 1000;

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        ObjectMapper json = new ObjectMapper();
        long after = Long.MIN_VALUE;
        String select = "SELECT event_id, room_id, event_type, sender, stream_ordering, pdu FROM events"
                + " WHERE stream_ordering IS NOT NULL AND stream_ordering > ? AND redacted_by IS NULL AND rejected_reason IS NULL"
                + " AND soft_failed = ? AND pdu LIKE '%m.relates_to%' ORDER BY stream_ordering LIMIT " + BATCH;
        String insert = "INSERT INTO event_relations (event_id, relates_to, rel_type, room_id, event_type, sender, stream_ordering)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)";
        while (true) {
            int read = 0;
            try (PreparedStatement query = connection.prepareStatement(select);
                 PreparedStatement write = connection.prepareStatement(insert)) {
                query.setLong(1, after);
                query.setBoolean(2, false);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        read++;
                        after = rows.getLong("stream_ordering");
                        JsonNode relatesTo = json.readTree(rows.getString("pdu")).path("content").path("m.relates_to");
                        if (!relatesTo.path("rel_type").isTextual() || !relatesTo.path("event_id").isTextual()) continue;
                        write.setString(1, rows.getString("event_id"));
                        write.setString(2, relatesTo.get("event_id").textValue());
                        write.setString(3, relatesTo.get("rel_type").textValue());
                        write.setString(4, rows.getString("room_id"));
                        write.setString(5, rows.getString("event_type"));
                        write.setString(6, rows.getString("sender"));
                        write.setLong(7, after);
                        write.addBatch();
                    }
                }
                write.executeBatch();
            }
            if (read < BATCH) return;
        }
    }
}
