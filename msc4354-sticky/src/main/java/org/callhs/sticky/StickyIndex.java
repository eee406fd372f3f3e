package org.callhs.sticky;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The sticky events that have not expired, in memory: per room in stream order. {@code /sync}
 * reads only this, so a call whose members all wake for each new membership costs no database
 * round trip per response; the {@code sticky_events} table is the durable copy it is loaded from
 * at start-up.
 *
 * <p>Rows are added by the write hook, inside the event's transaction. Events commit in stream
 * order and the hook runs after the event took its stream position, so rows arrive here in stream
 * order too, and before the stream position that covers them is published: a reader never finds
 * a gap later filled below its position. A row whose transaction rolls back is removed before the
 * rollback. Events other instances of a cluster wrote are added by the event listener, which hears
 * them in stream order before it moves the sticky stream on.
 */
final class StickyIndex {
    private final Map<String, NavigableMap<Long, StickyEventRepository.Row>> byRoom = new ConcurrentHashMap<>();
    private final Map<String, StickyEventRepository.Row> byEvent = new ConcurrentHashMap<>();

    void add(StickyEventRepository.Row row) {
        byRoom.computeIfAbsent(row.roomId(), r -> new ConcurrentSkipListMap<>()).put(row.position(), row);
        byEvent.put(row.eventId(), row);
    }

    boolean contains(String eventId) {
        return byEvent.containsKey(eventId);
    }

    /** A redacted event is no longer sticky. */
    void remove(String eventId) {
        StickyEventRepository.Row row = byEvent.remove(eventId);
        if (row == null) return;
        NavigableMap<Long, StickyEventRepository.Row> room = byRoom.get(row.roomId());
        if (room != null) room.remove(row.position());
    }

    /** Drops a purged room's rows. */
    void forgetRoom(String roomId) {
        NavigableMap<Long, StickyEventRepository.Row> room = byRoom.remove(roomId);
        if (room != null) room.values().forEach(row -> byEvent.remove(row.eventId()));
    }

    /** Drops rows that expired by {@code now}; returns how many. */
    int removeExpired(long now) {
        int removed = 0;
        for (StickyEventRepository.Row row : List.copyOf(byEvent.values())) {
            if (row.expiresAt() <= now) {
                remove(row.eventId());
                removed++;
            }
        }
        return removed;
    }

    /** Unexpired rows of these rooms at positions in {@code (after, upTo]}, in stream order, at most {@code limit}. */
    List<StickyEventRepository.Row> inRooms(Collection<String> roomIds, long after, long upTo, long now, int limit) {
        List<StickyEventRepository.Row> out = new ArrayList<>();
        if (after >= upTo) return out;
        for (String roomId : roomIds) {
            NavigableMap<Long, StickyEventRepository.Row> room = byRoom.get(roomId);
            if (room == null) continue;
            for (StickyEventRepository.Row row : room.subMap(after, false, upTo, true).values()) {
                if (row.expiresAt() > now) out.add(row);
            }
        }
        out.sort(Comparator.comparingLong(StickyEventRepository.Row::position));
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }

    int size() {
        return byEvent.size();
    }
}
