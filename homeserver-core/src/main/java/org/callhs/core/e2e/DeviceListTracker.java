package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.DeviceListChangeRepository;
import org.callhs.core.storage.repo.MembershipChangeRepository;
import org.callhs.core.storage.repo.MembershipChangeRepository.MemberEvent;
import org.callhs.core.sync.EncryptionSyncSource.DeviceListChanges;
import org.callhs.core.sync.Streams;
import org.callhs.core.sync.SyncToken;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/**
 * Which device lists a user must fetch again between two sync tokens, shared by {@code /sync}
 * ({@code device_lists}) and {@code GET /keys/changes}.
 *
 * <ul>
 * <li>{@code changed}: users who share a joined room with the requester now and whose devices
 *     or keys changed on the {@code device_lists} stream in (from, to] (the requester included
 *     when their own changed); users the requester signed in that range; and, from the events
 *     stream in (from, to]: every member of a room the requester joined, and every user who
 *     joined, was invited to or knocked on a room the requester is joined to (their devices are
 *     new to the requester, as Synapse does).
 * <li>{@code left}: users who left (or were removed from) a room the requester is joined to or
 *     was in during the range, and the members of rooms the requester left, in (from, to] of the
 *     events stream, who share no joined room with the requester now.
 * </ul>
 * Membership transitions compare each m.room.member event with the event it replaced in the
 * room state ({@code events.replaces_state}), so a display-name change is not a join.
 */
public final class DeviceListTracker {
    private static final Set<String> JOINED_INVITED_KNOCKED = Set.of("join", "invite", "knock");

    private final Database database;
    private final DeviceListChangeRepository changes;
    private final MembershipChangeRepository memberships;

    public DeviceListTracker(Database database, DeviceListChangeRepository changes, MembershipChangeRepository memberships) {
        this.database = database;
        this.changes = changes;
        this.memberships = memberships;
    }

    /** Users with changes everyone sharing a room may see, on the device_lists stream in (fromExclusive, toInclusive]. */
    public Set<String> deviceListChanges(long fromExclusive, long toInclusive) {
        if (toInclusive <= fromExclusive) return Set.of();
        return changes.publicChanges(database.dsl(), fromExclusive, toInclusive);
    }

    /**
     * Users sharing a joined room with {@code requester} now whose devices or keys changed in
     * (fromExclusive, toInclusive] of the device_lists stream, plus users whose keys the
     * requester signed in that range.
     */
    public Set<String> sharedRoomUsersChanged(String requester, long fromExclusive, long toInclusive) {
        if (toInclusive <= fromExclusive) return Set.of();
        DSLContext dsl = database.dsl();
        return sharedRoomUsersChanged(dsl, requester, memberships.usersSharingRoomWith(dsl, requester), fromExclusive, toInclusive);
    }

    private Set<String> sharedRoomUsersChanged(DSLContext dsl, String requester, Set<String> sharing, long from, long to) {
        if (to <= from) return new HashSet<>();
        Set<String> changed = changes.publicChanges(dsl, from, to);
        changed.retainAll(sharing);
        changed.addAll(changes.changesFor(dsl, requester, from, to));
        return changed;
    }

    /**
     * The changed and left users between two sync tokens (see the class comment). Cheap when
     * nothing concerns the requester: without device-list changes and membership events in the
     * range, three indexed reads and no join over room members.
     */
    public DeviceListChanges compute(String requester, SyncToken from, SyncToken to) {
        DSLContext dsl = database.dsl();
        long fromLists = from.position(Streams.DEVICE_LISTS);
        long toLists = to.position(Streams.DEVICE_LISTS);
        long fromEvents = from.position(Streams.EVENTS);
        long toEvents = to.position(Streams.EVENTS);
        List<MemberEvent> own = List.of();
        List<MemberEvent> inRooms = List.of();
        Set<String> joinedNow = Set.of();
        if (toEvents > fromEvents) {
            own = memberships.ownMemberEvents(dsl, requester, fromEvents, toEvents);
            joinedNow = memberships.joinedRooms(dsl, requester);
            Set<String> rooms = new HashSet<>(joinedNow);
            own.forEach(e -> rooms.add(e.roomId()));
            inRooms = memberships.memberEventsInRooms(dsl, rooms, fromEvents, toEvents);
        }
        if (toLists <= fromLists && own.isEmpty() && inRooms.isEmpty()) return new DeviceListChanges(Set.of(), Set.of());
        Set<String> sharing = memberships.usersSharingRoomWith(dsl, requester);
        Set<String> changed = sharedRoomUsersChanged(dsl, requester, sharing, fromLists, toLists);
        if (own.isEmpty() && inRooms.isEmpty()) return new DeviceListChanges(changed, Set.of());

        List<String> replaced = new ArrayList<>();
        own.forEach(e -> { if (e.replacesState() != null) replaced.add(e.replacesState()); });
        inRooms.forEach(e -> { if (e.replacesState() != null) replaced.add(e.replacesState()); });
        Map<String, String> previous = memberships.pdus(dsl, replaced);

        Set<String> joinedRooms = new HashSet<>();
        Set<String> leftRooms = new HashSet<>();
        for (MemberEvent e : own) {
            boolean joined = "join".equals(membership(e.pdu()));
            boolean wasJoined = "join".equals(membership(before(previous, e)));
            if (joined && !wasJoined) {
                joinedRooms.add(e.roomId());
                leftRooms.remove(e.roomId());
            } else if (!joined && wasJoined) {
                joinedRooms.remove(e.roomId());
                leftRooms.add(e.roomId());
            }
        }
        Set<String> arrived = new HashSet<>();
        Set<String> departed = new HashSet<>();
        for (MemberEvent e : inRooms) {
            if (requester.equals(e.stateKey())) continue;
            boolean present = presentIn(membership(e.pdu()));
            boolean wasPresent = presentIn(membership(before(previous, e)));
            if (present && !wasPresent) {
                if (joinedNow.contains(e.roomId())) arrived.add(e.stateKey());
                departed.remove(e.stateKey());
            } else if (!present && wasPresent) {
                arrived.remove(e.stateKey());
                departed.add(e.stateKey());
            }
        }
        arrived.addAll(memberships.joinedMembers(dsl, joinedRooms));
        arrived.remove(requester);
        changed.addAll(arrived);

        departed.addAll(memberships.joinedMembers(dsl, leftRooms));
        departed.removeAll(sharing);
        changed.removeAll(departed);
        return new DeviceListChanges(changed, departed);
    }

    /** Joined, invited or knocking: a member whose devices the requester encrypts for. */
    private static boolean presentIn(String membership) {
        return membership != null && JOINED_INVITED_KNOCKED.contains(membership);
    }

    /** The PDU of the member event this one replaced in the room state, or null for the first. */
    private static String before(Map<String, String> previous, MemberEvent event) {
        return event.replacesState() == null ? null : previous.get(event.replacesState());
    }

    private static String membership(String pdu) {
        if (pdu == null) return null;
        JsonNode membership = Json.parse(pdu).path("content").path("membership");
        return membership.isTextual() ? membership.textValue() : null;
    }
}
