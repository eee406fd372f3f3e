package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.CURRENT_STATE;
import static org.callhs.core.storage.schema.Tables.DEVICES;
import static org.callhs.core.storage.schema.Tables.FORGOTTEN_ROOMS;
import static org.callhs.core.storage.schema.Tables.ROOMS;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.storage.schema.tables.records.RoomsRecord;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** The rows a room's admin summary is made of: rooms, their state counts and the state events that describe them. */
public final class RoomSummaryRows {
    /** The state types (with an empty state key) whose content a summary reads. */
    public static final List<String> DESCRIBING = List.of("m.room.create", "m.room.name", "m.room.canonical_alias",
            "m.room.join_rules", "m.room.guest_access", "m.room.history_visibility", "m.room.encryption", "m.room.topic",
            "m.room.avatar", "m.room.tombstone");

    public record Counts(int stateEvents, int joined, int joinedLocal) {}

    /** Rooms this server takes part in (not the stubs an invite from another server makes), or only {@code roomIds}. */
    public List<RoomsRecord> rooms(DSLContext dsl, Collection<String> roomIds) {
        var query = dsl.selectFrom(ROOMS).where(ROOMS.IS_STUB.isFalse());
        return roomIds == null ? query.fetch() : query.and(ROOMS.ROOM_ID.in(roomIds)).fetch();
    }

    /** Per room: current state events, joined members, joined members of this server ({@code localSuffix}: ":server"). */
    public Map<String, Counts> counts(DSLContext dsl, Collection<String> roomIds, String localSuffix) {
        var joined = DSL.sum(DSL.when(CURRENT_STATE.MEMBERSHIP.eq("join"), 1).otherwise(0));
        var joinedLocal = DSL.sum(DSL.when(CURRENT_STATE.MEMBERSHIP.eq("join")
                .and(CURRENT_STATE.STATE_KEY.like("%" + escape(localSuffix), '\\')), 1).otherwise(0));
        var query = dsl.select(CURRENT_STATE.ROOM_ID, DSL.count(), joined, joinedLocal).from(CURRENT_STATE);
        var grouped = (roomIds == null ? query : query.where(CURRENT_STATE.ROOM_ID.in(roomIds))).groupBy(CURRENT_STATE.ROOM_ID);
        Map<String, Counts> out = new HashMap<>();
        for (var r : grouped.fetch()) {
            out.put(r.value1(), new Counts(r.value2(), r.value3() == null ? 0 : r.value3().intValue(),
                    r.value4() == null ? 0 : r.value4().intValue()));
        }
        return out;
    }

    /** Per room, the event IDs of its {@link #DESCRIBING} state, by type. */
    public Map<String, Map<String, String>> describingState(DSLContext dsl, Collection<String> roomIds) {
        var query = dsl.select(CURRENT_STATE.ROOM_ID, CURRENT_STATE.EVENT_TYPE, CURRENT_STATE.EVENT_ID).from(CURRENT_STATE)
                .where(CURRENT_STATE.EVENT_TYPE.in(DESCRIBING), CURRENT_STATE.STATE_KEY.eq(""));
        Map<String, Map<String, String>> out = new HashMap<>();
        for (var r : (roomIds == null ? query : query.and(CURRENT_STATE.ROOM_ID.in(roomIds))).fetch()) {
            out.computeIfAbsent(r.value1(), k -> new HashMap<>()).put(r.value2(), r.value3());
        }
        return out;
    }

    /** The devices of the room's joined members of this server. */
    public int joinedLocalDevices(DSLContext dsl, String roomId, String localSuffix) {
        return dsl.fetchCount(DEVICES, DEVICES.USER_ID.in(DSL.select(CURRENT_STATE.STATE_KEY).from(CURRENT_STATE)
                .where(CURRENT_STATE.ROOM_ID.eq(roomId), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"),
                        CURRENT_STATE.MEMBERSHIP.eq("join"), CURRENT_STATE.STATE_KEY.like("%" + escape(localSuffix), '\\'))));
    }

    /** Whether every user of this server with a membership in the room has forgotten it (false when there is none). */
    public boolean forgottenByAllLocal(DSLContext dsl, String roomId, String localSuffix) {
        List<String> local = dsl.select(CURRENT_STATE.STATE_KEY).from(CURRENT_STATE)
                .where(CURRENT_STATE.ROOM_ID.eq(roomId), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"),
                        CURRENT_STATE.STATE_KEY.like("%" + escape(localSuffix), '\\'))
                .fetch(CURRENT_STATE.STATE_KEY);
        if (local.isEmpty()) return false;
        int forgotten = dsl.fetchCount(FORGOTTEN_ROOMS, FORGOTTEN_ROOMS.ROOM_ID.eq(roomId), FORGOTTEN_ROOMS.USER_ID.in(local));
        return forgotten == local.size();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
