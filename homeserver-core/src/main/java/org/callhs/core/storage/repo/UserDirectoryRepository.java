package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.CURRENT_STATE;
import static org.callhs.core.storage.schema.Tables.EVENTS;
import static org.callhs.core.storage.schema.Tables.PROFILES;
import static org.callhs.core.storage.schema.Tables.ROOMS;
import static org.callhs.core.storage.schema.Tables.USERS;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;

/** The reads behind the user directory: rooms, their joined members, and the names they go by. */
public final class UserDirectoryRepository {
    /** Longest IN list sent at once (SQLite and PostgreSQL both take far more; this keeps statements small). */
    private static final int CHUNK = 500;

    /** A joined member of a room, with the event that made them so. */
    public record Member(String roomId, String userId, String eventId) {}

    /** A local user's global profile. */
    public record Profile(String displayname, String avatarUrl) {}

    public List<String> allRooms(DSLContext tx) {
        return tx.select(ROOMS.ROOM_ID).from(ROOMS).fetch(ROOMS.ROOM_ID);
    }

    /** The PDUs of the rooms' current {@code type} state events with the empty state key, by room. */
    public Map<String, String> currentStatePdus(DSLContext tx, Collection<String> roomIds, String type) {
        Map<String, String> out = new HashMap<>();
        for (List<String> chunk : chunks(roomIds)) {
            tx.select(CURRENT_STATE.ROOM_ID, EVENTS.PDU).from(CURRENT_STATE).join(EVENTS).on(EVENTS.EVENT_ID.eq(CURRENT_STATE.EVENT_ID))
                    .where(CURRENT_STATE.ROOM_ID.in(chunk), CURRENT_STATE.EVENT_TYPE.eq(type), CURRENT_STATE.STATE_KEY.eq(""))
                    .forEach(r -> out.put(r.value1(), r.value2()));
        }
        return out;
    }

    /** Joined members of the rooms. */
    public List<Member> joinedMembers(DSLContext tx, Collection<String> roomIds) {
        List<Member> out = new ArrayList<>();
        for (List<String> chunk : chunks(roomIds)) {
            tx.select(CURRENT_STATE.ROOM_ID, CURRENT_STATE.STATE_KEY, CURRENT_STATE.EVENT_ID).from(CURRENT_STATE)
                    .where(CURRENT_STATE.ROOM_ID.in(chunk), CURRENT_STATE.EVENT_TYPE.eq("m.room.member"),
                            CURRENT_STATE.MEMBERSHIP.eq("join"))
                    .forEach(r -> out.add(new Member(r.value1(), r.value2(), r.value3())));
        }
        return out;
    }

    /** Global profiles of local users. */
    public Map<String, Profile> profiles(DSLContext tx, Collection<String> userIds) {
        Map<String, Profile> out = new HashMap<>();
        for (List<String> chunk : chunks(userIds)) {
            tx.select(PROFILES.USER_ID, PROFILES.DISPLAYNAME, PROFILES.AVATAR_URL).from(PROFILES).where(PROFILES.USER_ID.in(chunk))
                    .forEach(r -> out.put(r.value1(), new Profile(r.value2(), r.value3())));
        }
        return out;
    }

    /** Which of these local users are deactivated. */
    public Set<String> deactivated(DSLContext tx, Collection<String> userIds) {
        Set<String> out = new HashSet<>();
        for (List<String> chunk : chunks(userIds)) {
            out.addAll(tx.select(USERS.USER_ID).from(USERS).where(USERS.USER_ID.in(chunk), USERS.DEACTIVATED.isTrue()).fetch(USERS.USER_ID));
        }
        return out;
    }

    /** PDUs by event ID. */
    public Map<String, String> pdus(DSLContext tx, Collection<String> eventIds) {
        Map<String, String> out = new HashMap<>();
        for (List<String> chunk : chunks(eventIds)) {
            tx.select(EVENTS.EVENT_ID, EVENTS.PDU).from(EVENTS).where(EVENTS.EVENT_ID.in(chunk)).forEach(r -> out.put(r.value1(), r.value2()));
        }
        return out;
    }

    private static List<List<String>> chunks(Collection<String> values) {
        List<String> all = new ArrayList<>(values);
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) out.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        return out;
    }
}
