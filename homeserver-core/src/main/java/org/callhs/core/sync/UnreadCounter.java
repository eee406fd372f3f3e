package org.callhs.core.sync;

/** Notification counts of a room for a user: events after their read receipt that notify or highlight. */
public interface UnreadCounter {
    record Counts(long notifications, long highlights) {}

    /**
     * @param recent when not null, every event of the room in {@code (recentAfter, upToPosition]}
     *     (oldest first), which spares reading them again
     */
    Counts counts(String userId, String roomId, long upToPosition, java.util.List<org.callhs.core.room.PersistedEvent> recent,
                  long recentAfter);
}
