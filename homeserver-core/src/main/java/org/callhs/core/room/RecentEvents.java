package org.callhs.core.room;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest events of each room in memory, so that incremental syncs woken by a new event
 * read it without a database query. Fed by core's event listener, which runs in stream order
 * per room under the room's lock; a room's window therefore holds every event of the room
 * after the position just before the first event it saw in this process. A redaction
 * replaces its target in the window. Windows are bounded ({@value #PER_ROOM} events) and so is
 * the number of rooms ({@value #MAX_ROOMS}; the least recently written go first).
 */
public final class RecentEvents {
    static final int PER_ROOM = 64;
    static final int MAX_ROOMS = 20_000;

    /** One room's window: events oldest first, complete after {@code coveredAfter}. */
    private static final class Window {
        final ArrayDeque<PersistedEvent> events = new ArrayDeque<>();
        long coveredAfter;
    }

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Records a committed event (from the listener, in stream order per room). */
    public void committed(PersistedEvent event) {
        if (windows.size() >= MAX_ROOMS && !windows.containsKey(event.roomId())) windows.clear();
        Window window = windows.computeIfAbsent(event.roomId(), r -> {
            Window w = new Window();
            w.coveredAfter = event.streamOrdering() - 1;
            return w;
        });
        synchronized (window) {
            window.events.addLast(event);
            while (window.events.size() > PER_ROOM) window.coveredAfter = window.events.removeFirst().streamOrdering();
        }
    }

    /** Drops a purged room's window. */
    public void forget(String roomId) {
        windows.remove(roomId);
    }

    /** Marks an event in the window redacted by {@code redactionId}. */
    public void redacted(String roomId, String eventId, String redactionId) {
        Window window = windows.get(roomId);
        if (window == null) return;
        synchronized (window) {
            List<PersistedEvent> copy = new ArrayList<>(window.events);
            for (int i = 0; i < copy.size(); i++) {
                PersistedEvent e = copy.get(i);
                if (e.eventId().equals(eventId)) {
                    copy.set(i, e.withRedactedBy(redactionId));
                }
            }
            window.events.clear();
            window.events.addAll(copy);
        }
    }

    /**
     * Events with {@code after < ordering <= fromInclusive}, newest first, at most {@code limit};
     * empty when the window does not cover that whole range (then read the database).
     */
    public Optional<List<PersistedEvent>> backwards(String roomId, long fromInclusive, long after, int limit) {
        Window window = windows.get(roomId);
        if (window == null) return Optional.empty();
        synchronized (window) {
            if (after < window.coveredAfter) return Optional.empty();
            List<PersistedEvent> out = new ArrayList<>();
            for (Iterator<PersistedEvent> it = window.events.descendingIterator(); it.hasNext() && out.size() < limit; ) {
                PersistedEvent e = it.next();
                if (e.streamOrdering() <= after) break;
                if (e.streamOrdering() <= fromInclusive) out.add(e);
            }
            return Optional.of(out);
        }
    }
}
