package org.callhs.core.sync;

import java.util.Map;

/**
 * Notification counts of a room for a user: events after their read receipts that notify or
 * highlight, split into the main timeline and threads (an event is read when the user's
 * unthreaded receipt, or their receipt in the event's thread, reaches it).
 */
public interface UnreadCounter {
    /**
     * @param notifications the main timeline's count (thread roots included)
     * @param threads per thread root with unread notifying events, that thread's counts
     */
    record Counts(long notifications, long highlights, Map<String, Counts> threads) {
        public static final Counts ZERO = new Counts(0, 0, Map.of());

        public Counts {
            threads = Map.copyOf(threads);
        }

        /** The main timeline and every thread together (for clients that did not ask for thread counts). */
        public Counts combined() {
            long n = notifications;
            long h = highlights;
            for (Counts thread : threads.values()) {
                n += thread.notifications();
                h += thread.highlights();
            }
            return new Counts(n, h, Map.of());
        }
    }

    /**
     * @param recent when not null, every event of the room in {@code (recentAfter, upToPosition]}
     *     (oldest first), which spares reading them again
     */
    Counts counts(String userId, String roomId, long upToPosition, java.util.List<org.callhs.core.room.PersistedEvent> recent,
                  long recentAfter);
}
