package org.callhs.core.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.RoomSummaryRows;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;

/**
 * What the admin API reads about rooms: summaries (listed, searched, sorted), details, members
 * and state. A listing reads the describing state of every room this server is in, so its cost
 * grows with the number of rooms; it is meant for operators, not for clients.
 */
public final class RoomAdmin {
    /** A listing order; {@code naturallyDescending}: the direction {@code dir=f} gives, as Synapse sorts. */
    public enum Order {
        NAME(false, RoomSummary::name), CANONICAL_ALIAS(false, RoomSummary::canonicalAlias),
        JOINED_MEMBERS(true, RoomSummary::joinedMembers), JOINED_LOCAL_MEMBERS(true, RoomSummary::joinedLocalMembers),
        VERSION(true, RoomSummary::version), CREATOR(false, RoomSummary::creator), ENCRYPTION(false, RoomSummary::encryption),
        FEDERATABLE(false, RoomSummary::federatable), PUBLIC(false, RoomSummary::isPublic), JOIN_RULES(false, RoomSummary::joinRules),
        GUEST_ACCESS(false, RoomSummary::guestAccess), HISTORY_VISIBILITY(false, RoomSummary::historyVisibility),
        STATE_EVENTS(true, RoomSummary::stateEvents);

        final boolean naturallyDescending;
        final Function<RoomSummary, Comparable<?>> key;

        Order(boolean naturallyDescending, Function<RoomSummary, Comparable<?>> key) {
            this.naturallyDescending = naturallyDescending;
            this.key = key;
        }
    }

    /** @param searchTerm part of the name or of the canonical alias's localpart (any case), or the exact room ID; null: all */
    public record Query(String searchTerm, Order order, boolean reversed, Boolean publicRooms, Boolean emptyRooms) {}

    public record Page(List<RoomSummary> rooms, int total) {}

    private final Database database;
    private final RoomSummaryRows rows;
    private final RoomReader reader;
    private final String localSuffix;

    public RoomAdmin(Database database, RoomSummaryRows rows, RoomReader reader, String serverName) {
        this.database = database;
        this.rows = rows;
        this.reader = reader;
        this.localSuffix = ":" + serverName;
    }

    public Page list(Query query, int from, int limit) {
        List<RoomSummary> all = summaries(null).stream().filter(room -> matches(query, room)).sorted(comparator(query)).toList();
        int start = (int) Math.min(from, all.size());
        int end = (int) Math.min((long) start + limit, all.size());
        return new Page(all.subList(start, end), all.size());
    }

    public Optional<RoomSummary> summary(String roomId) {
        return summaries(List.of(roomId)).stream().findFirst();
    }

    public boolean exists(String roomId) {
        return !rows.rooms(database.dsl(), List.of(roomId)).isEmpty();
    }

    public int joinedLocalDevices(String roomId) {
        return rows.joinedLocalDevices(database.dsl(), roomId, localSuffix);
    }

    public boolean forgotten(String roomId) {
        return rows.forgottenByAllLocal(database.dsl(), roomId, localSuffix);
    }

    /** The joined members, local and remote. */
    public List<String> members(String roomId) {
        return reader.members(roomId, "join");
    }

    /** The current state events, all or of one type. */
    public List<PersistedEvent> state(String roomId, String type) {
        List<String> ids = reader.currentState(roomId).entrySet().stream()
                .filter(e -> type == null || e.getKey().type().equals(type)).map(Map.Entry::getValue).toList();
        return reader.events(ids);
    }

    private List<RoomSummary> summaries(Collection<String> roomIds) {
        var dsl = database.dsl();
        List<RoomsRecord> rooms = rows.rooms(dsl, roomIds);
        if (rooms.isEmpty()) return List.of();
        Collection<String> ids = roomIds == null ? null : rooms.stream().map(RoomsRecord::getRoomId).toList();
        Map<String, RoomSummaryRows.Counts> counts = rows.counts(dsl, ids, localSuffix);
        Map<String, Map<String, String>> describing = rows.describingState(dsl, ids);
        List<String> eventIds = describing.values().stream().flatMap(m -> m.values().stream()).toList();
        Map<String, JsonNode> contents = new HashMap<>();
        for (int i = 0; i < eventIds.size(); i += 500) {
            for (PersistedEvent event : reader.events(eventIds.subList(i, Math.min(eventIds.size(), i + 500)))) {
                contents.put(event.eventId(), event.redactedBy() == null ? event.pdu().path("content")
                        : org.callhs.core.event.Redaction.redact(event.pdu(), event.version()).path("content"));
            }
        }
        List<RoomSummary> out = new ArrayList<>(rooms.size());
        for (RoomsRecord room : rooms) {
            Map<String, String> state = describing.getOrDefault(room.getRoomId(), Map.of());
            Function<String, JsonNode> content = type -> state.containsKey(type) ? contents.get(state.get(type)) : null;
            RoomSummaryRows.Counts c = counts.getOrDefault(room.getRoomId(), new RoomSummaryRows.Counts(0, 0, 0));
            JsonNode create = content.apply("m.room.create");
            JsonNode tombstone = content.apply("m.room.tombstone");
            out.add(new RoomSummary(room.getRoomId(), text(content.apply("m.room.name"), "name"),
                    text(content.apply("m.room.canonical_alias"), "alias"), c.joined(), c.joinedLocal(), room.getRoomVersion(),
                    room.getCreator(), text(content.apply("m.room.encryption"), "algorithm"),
                    create == null || !create.has("m.federate") || create.path("m.federate").asBoolean(true), room.getIsPublic(),
                    text(content.apply("m.room.join_rules"), "join_rule"), text(content.apply("m.room.guest_access"), "guest_access"),
                    text(content.apply("m.room.history_visibility"), "history_visibility"), c.stateEvents(), text(create, "type"),
                    text(content.apply("m.room.topic"), "topic"), text(content.apply("m.room.avatar"), "url"),
                    text(tombstone, "replacement_room"), tombstone != null));
        }
        return out;
    }

    private static String text(JsonNode content, String field) {
        if (content == null) return null;
        JsonNode value = content.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private static boolean matches(Query query, RoomSummary room) {
        if (query.publicRooms() != null && room.isPublic() != query.publicRooms()) return false;
        if (query.emptyRooms() != null && (room.joinedMembers() == 0) != query.emptyRooms()) return false;
        if (query.searchTerm() == null) return true;
        String term = query.searchTerm().toLowerCase(Locale.ROOT);
        if (room.roomId().equals(query.searchTerm())) return true;
        if (room.name() != null && room.name().toLowerCase(Locale.ROOT).contains(term)) return true;
        String alias = room.canonicalAlias();
        if (alias != null && alias.indexOf(':') > 0) return alias.substring(1, alias.indexOf(':')).toLowerCase(Locale.ROOT).contains(term);
        return false;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<RoomSummary> comparator(Query query) {
        boolean descending = query.order().naturallyDescending != query.reversed();
        Comparator<Comparable> values = descending ? Comparator.nullsLast(Comparator.<Comparable>reverseOrder())
                : Comparator.nullsLast(Comparator.<Comparable>naturalOrder());
        Comparator<RoomSummary> byKey = Comparator.comparing(room -> (Comparable) query.order().key.apply(room), values);
        Comparator<RoomSummary> byId = Comparator.comparing(RoomSummary::roomId);
        return byKey.thenComparing(descending ? byId.reversed() : byId);
    }
}
