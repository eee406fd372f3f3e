package org.callhs.core.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestDatabases;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Migration V10 (rooms as DAGs) on a database written before it: each room's chain becomes
 * prev-event edges, its one extremity a row of {@code room_forward_extremities}, and every
 * event keeps its row, now marked as an accepted timeline event.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RoomDagMigrationTest {
    @Parameter
    Backend backend;

    private static Flyway flyway(String url, String target) {
        var config = Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/core")
                .table("flyway_history_core").baselineOnMigrate(true).baselineVersion("0");
        if (target != null) config.target(target);
        return config.load();
    }

    @Test
    void linearRoomsBecomeEdgesAndOneExtremityEach() throws Exception {
        String url = TestDatabases.create(backend);
        flyway(url, "9").migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            // Two rooms whose events interleave on the stream, as concurrent sends leave them.
            s.execute("INSERT INTO rooms (room_id, room_version, creator, is_public, created_ts, forward_extremity, max_depth, state_group)"
                    + " VALUES ('!a:x', '11', '@u:x', FALSE, 1, '$a3', 3, 1), ('!b:x', '11', '@u:x', FALSE, 1, '$b2', 2, 2)");
            String[][] rows = {{"$a1", "!a:x", "1", "1"}, {"$b1", "!b:x", "2", "1"}, {"$a2", "!a:x", "3", "2"},
                    {"$b2", "!b:x", "5", "2"}, {"$a3", "!a:x", "7", "3"}};
            for (String[] row : rows) {
                s.execute("INSERT INTO events (event_id, room_id, stream_ordering, depth, event_type, sender, origin_server_ts, pdu,"
                        + " state_group_after) VALUES ('" + row[0] + "', '" + row[1] + "', " + row[2] + ", " + row[3]
                        + ", 'm.room.message', '@u:x', 1, '{}', 1)");
            }
        }
        flyway(url, null).migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThat(rows(s, "SELECT event_id || '>' || prev_event_id FROM event_edges ORDER BY event_id"))
                    .containsExactly("$a2>$a1", "$a3>$a2", "$b2>$b1");
            assertThat(rows(s, "SELECT room_id || ' ' || event_id || ' ' || depth FROM room_forward_extremities ORDER BY room_id"))
                    .containsExactly("!a:x $a3 3", "!b:x $b2 2");
            assertThat(rows(s, "SELECT event_id FROM events WHERE outlier = FALSE AND soft_failed = FALSE AND rejected_reason IS NULL"
                    + " AND stream_ordering IS NOT NULL ORDER BY stream_ordering"))
                    .containsExactly("$a1", "$b1", "$a2", "$b2", "$a3");
            // Events outside every timeline can now be stored.
            s.execute("INSERT INTO events (event_id, room_id, stream_ordering, depth, event_type, sender, origin_server_ts, pdu,"
                    + " outlier, soft_failed) VALUES ('$o', '!a:x', NULL, 9, 'm.room.member', '@v:y', 1, '{}', TRUE, FALSE)");
            s.execute("INSERT INTO events (event_id, room_id, stream_ordering, depth, event_type, sender, origin_server_ts, pdu,"
                    + " outlier, soft_failed) VALUES ('$p', '!a:x', NULL, 9, 'm.room.member', '@v:y', 1, '{}', TRUE, FALSE)");
            assertThat(rows(s, "SELECT COUNT(*) FROM events WHERE stream_ordering IS NULL")).containsExactly("2");
        }
    }

    private static List<String> rows(Statement s, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
