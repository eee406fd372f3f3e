package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.CURRENT_STATE;
import static org.callhs.core.storage.schema.Tables.EVENTS;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.storage.schema.tables.CurrentState;
import org.jooq.DSLContext;

/**
 * Read-only membership queries over {@code events} and {@code current_state} for device-list
 * tracking: who shares a room with a user now, and which memberships changed between two
 * positions of the events stream.
 */
public final class MembershipChangeRepository {
    private static final String MEMBER = "m.room.member";

    /** An m.room.member event: room, subject, the PDU (for content.membership), and the event it replaced in the room state. */
    public record MemberEvent(String roomId, String stateKey, String pdu, String replacesState) {}

    /** The user's own membership events in (fromExclusive, toInclusive], oldest first. */
    public List<MemberEvent> ownMemberEvents(DSLContext tx, String userId, long fromExclusive, long toInclusive) {
        return tx.select(EVENTS.ROOM_ID, EVENTS.STATE_KEY, EVENTS.PDU, EVENTS.REPLACES_STATE).from(EVENTS)
                .where(EVENTS.STATE_KEY.eq(userId), EVENTS.EVENT_TYPE.eq(MEMBER),
                        EVENTS.STREAM_ORDERING.gt(fromExclusive), EVENTS.STREAM_ORDERING.le(toInclusive))
                .orderBy(EVENTS.STREAM_ORDERING)
                .fetch(r -> new MemberEvent(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** Membership events of the rooms in (fromExclusive, toInclusive], oldest first. */
    public List<MemberEvent> memberEventsInRooms(DSLContext tx, Collection<String> roomIds, long fromExclusive, long toInclusive) {
        if (roomIds.isEmpty()) return List.of();
        return tx.select(EVENTS.ROOM_ID, EVENTS.STATE_KEY, EVENTS.PDU, EVENTS.REPLACES_STATE).from(EVENTS)
                .where(EVENTS.ROOM_ID.in(roomIds), EVENTS.EVENT_TYPE.eq(MEMBER),
                        EVENTS.STREAM_ORDERING.gt(fromExclusive), EVENTS.STREAM_ORDERING.le(toInclusive))
                .orderBy(EVENTS.STREAM_ORDERING)
                .fetch(r -> new MemberEvent(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /** PDUs of the given events by event ID. */
    public Map<String, String> pdus(DSLContext tx, Collection<String> eventIds) {
        if (eventIds.isEmpty()) return Map.of();
        return tx.select(EVENTS.EVENT_ID, EVENTS.PDU).from(EVENTS).where(EVENTS.EVENT_ID.in(eventIds))
                .fetchMap(EVENTS.EVENT_ID, EVENTS.PDU);
    }

    /** Users joined to any room the user is joined to now, the user included. */
    public Set<String> usersSharingRoomWith(DSLContext tx, String userId) {
        CurrentState mine = CURRENT_STATE.as("mine");
        CurrentState other = CURRENT_STATE.as("other");
        Set<String> users = new HashSet<>(tx.selectDistinct(other.STATE_KEY).from(mine)
                .join(other).on(other.ROOM_ID.eq(mine.ROOM_ID))
                .where(mine.STATE_KEY.eq(userId), mine.EVENT_TYPE.eq(MEMBER), mine.MEMBERSHIP.eq("join"),
                        other.EVENT_TYPE.eq(MEMBER), other.MEMBERSHIP.eq("join"))
                .fetch(other.STATE_KEY));
        users.add(userId);
        return users;
    }

    /** Users joined to any of the rooms now. */
    public Set<String> joinedMembers(DSLContext tx, Collection<String> roomIds) {
        if (roomIds.isEmpty()) return Set.of();
        return new HashSet<>(tx.selectDistinct(CURRENT_STATE.STATE_KEY).from(CURRENT_STATE)
                .where(CURRENT_STATE.ROOM_ID.in(roomIds), CURRENT_STATE.EVENT_TYPE.eq(MEMBER), CURRENT_STATE.MEMBERSHIP.eq("join"))
                .fetch(CURRENT_STATE.STATE_KEY));
    }

    /** Rooms the user is joined to now. */
    public Set<String> joinedRooms(DSLContext tx, String userId) {
        return new HashSet<>(tx.select(CURRENT_STATE.ROOM_ID).from(CURRENT_STATE)
                .where(CURRENT_STATE.STATE_KEY.eq(userId), CURRENT_STATE.EVENT_TYPE.eq(MEMBER), CURRENT_STATE.MEMBERSHIP.eq("join"))
                .fetch(CURRENT_STATE.ROOM_ID));
    }
}
