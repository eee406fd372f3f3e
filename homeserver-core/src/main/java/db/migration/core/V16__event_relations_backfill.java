package db.migration.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Fills {@code event_relations} (V15) for the timeline events stored before it: every
 * unredacted, accepted timeline event whose content has an {@code m.relates_to} with a string
 * {@code rel_type} and {@code event_id}. Reads the events in batches by stream position, so a
 * large database is not loaded at once.
 */
public class V16__event_relations_backfill extends BaseJavaMigration {
    @Override
    public void migrate(Context context) throws Exception {
        ObjectMapper json = new ObjectMapper();
        TimelineScan.run(context.getConnection(), "event_id, room_id, event_type, sender, stream_ordering, pdu", "pdu LIKE '%m.relates_to%'",
                "INSERT INTO event_relations (event_id, relates_to, rel_type, room_id, event_type, sender, stream_ordering)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (row, write) -> {
                    JsonNode relatesTo = json.readTree(row.getString("pdu")).path("content").path("m.relates_to");
                    if (!relatesTo.path("rel_type").isTextual() || !relatesTo.path("event_id").isTextual()) return;
                    write.setString(1, row.getString("event_id"));
                    write.setString(2, relatesTo.get("event_id").textValue());
                    write.setString(3, relatesTo.get("rel_type").textValue());
                    write.setString(4, row.getString("room_id"));
                    write.setString(5, row.getString("event_type"));
                    write.setString(6, row.getString("sender"));
                    write.setLong(7, row.getLong("stream_ordering"));
                    write.addBatch();
                });
    }
}
