package org.callhs.core.storage.repo;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;

/**
 * Statements on {@code event_search} (created by migration V17): a PostgreSQL {@code tsvector}
 * table or a SQLite FTS5 table, so the SQL differs by dialect and is written out here.
 */
public final class EventSearchRepository {
    /** The searchable text of an event: which content key, and its value. */
    public record Entry(String key, String value) {}

    /** One match: the event, its position, and its rank (higher is better). */
    public record Hit(String eventId, long streamOrdering, double rank) {}

    /** The key an event is searched by, as Synapse indexes them (messages, and room names and topics as state); null for none. */
    public static Entry entryOf(String type, JsonNode pdu) {
        if (pdu.has("state_key") == type.equals("m.room.message")) return null;
        String key = switch (type) {
            case "m.room.message" -> "body";
            case "m.room.name" -> "name";
            case "m.room.topic" -> "topic";
            default -> null;
        };
        if (key == null) return null;
        JsonNode value = pdu.path("content").path(key);
        return value.isTextual() && !value.textValue().isBlank() ? new Entry("content." + key, value.textValue()) : null;
    }

    /** The insert, whose parameters {@link #bind} fills. */
    public static String insertSql(boolean postgres) {
        return postgres
                ? "INSERT INTO event_search (event_id, room_id, sender, key, stream_ordering, origin_server_ts, vector)"
                        + " VALUES (?, ?, ?, ?, ?, ?, to_tsvector('english', ?))"
                : "INSERT INTO event_search (event_id, room_id, sender, key, stream_ordering, origin_server_ts, value)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)";
    }

    public static void bind(PreparedStatement statement, boolean postgres, String eventId, String roomId, String sender, Entry entry,
                            long streamOrdering, long originServerTs) throws SQLException {
        statement.setString(1, eventId);
        statement.setString(2, roomId);
        statement.setString(3, sender);
        statement.setString(4, entry.key());
        statement.setLong(5, streamOrdering);
        statement.setLong(6, originServerTs);
        statement.setString(7, postgres ? stripNul(entry.value()) : entry.value());
    }

    public void insert(DSLContext tx, String eventId, String roomId, String sender, Entry entry, long streamOrdering, long originServerTs) {
        boolean postgres = postgres(tx);
        tx.execute(insertSql(postgres), eventId, roomId, sender, entry.key(), streamOrdering, originServerTs,
                postgres ? stripNul(entry.value()) : entry.value());
    }

    /** Drops a redacted event from the index. */
    public void delete(DSLContext tx, String eventId) {
        tx.execute("DELETE FROM event_search WHERE event_id = ?", eventId);
    }

    /**
     * Matches of {@code words} (every word must match; stemmed) in the rooms and keys, best
     * rank first or newest first; {@code before} (positions below it) pages by recency,
     * {@code offset} by rank.
     */
    public List<Hit> search(DSLContext dsl, Collection<String> roomIds, Collection<String> keys, List<String> words, boolean byRank,
                            Long before, int offset, int limit) {
        if (roomIds.isEmpty() || keys.isEmpty() || words.isEmpty()) return List.of();
        List<Object> binds = new ArrayList<>();
        String sql = postgres(dsl)
                ? "SELECT event_id, stream_ordering, ts_rank_cd(vector, q) AS rank FROM event_search, to_tsquery('english', ?) q"
                        + " WHERE vector @@ q"
                : "SELECT event_id, stream_ordering, -bm25(event_search) AS rank FROM event_search WHERE event_search MATCH ?";
        binds.add(query(dsl, words));
        sql += " AND room_id IN (" + placeholders(roomIds.size()) + ") AND key IN (" + placeholders(keys.size()) + ")";
        binds.addAll(roomIds);
        binds.addAll(keys);
        if (before != null) {
            sql += " AND stream_ordering < ?";
            binds.add(before);
        }
        sql += byRank ? " ORDER BY rank DESC, stream_ordering DESC" : " ORDER BY stream_ordering DESC";
        sql += " LIMIT " + limit + " OFFSET " + offset;
        return dsl.fetch(sql, binds.toArray()).map(r -> new Hit(r.get(0, String.class), r.get(1, Long.class), r.get(2, Double.class)));
    }

    /** How many events match, in all (before history visibility). */
    public int count(DSLContext dsl, Collection<String> roomIds, Collection<String> keys, List<String> words) {
        if (roomIds.isEmpty() || keys.isEmpty() || words.isEmpty()) return 0;
        List<Object> binds = new ArrayList<>();
        String sql = postgres(dsl)
                ? "SELECT COUNT(*) FROM event_search WHERE vector @@ to_tsquery('english', ?)"
                : "SELECT COUNT(*) FROM event_search WHERE event_search MATCH ?";
        binds.add(query(dsl, words));
        sql += " AND room_id IN (" + placeholders(roomIds.size()) + ") AND key IN (" + placeholders(keys.size()) + ")";
        binds.addAll(roomIds);
        binds.addAll(keys);
        return dsl.fetchOne(sql, binds.toArray()).get(0, Integer.class);
    }

    /**
     * The words as each database's query language: quoted terms joined by AND, so nothing in a
     * user's search term is read as an operator.
     */
    private static String query(DSLContext dsl, List<String> words) {
        List<String> terms = new ArrayList<>();
        for (String word : words) {
            terms.add(postgres(dsl) ? "'" + word.replace("'", "''").replace("\\", "\\\\") + "'" : "\"" + word.replace("\"", "\"\"") + "\"");
        }
        return String.join(postgres(dsl) ? " & " : " AND ", terms);
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }

    private static boolean postgres(DSLContext dsl) {
        return dsl.dialect().family() == SQLDialect.POSTGRES;
    }

    /** PostgreSQL text cannot hold NUL. */
    private static String stripNul(String value) {
        return value.indexOf('\0') < 0 ? value : value.replace("\0", "");
    }
}
