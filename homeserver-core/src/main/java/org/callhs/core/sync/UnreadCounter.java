package org.callhs.core.sync;

/** Notification counts of a room for a user: events after their read receipt that notify or highlight. */
public interface UnreadCounter {
    record Counts(long notifications, long highlights) {}

    Counts counts(String userId, String roomId, long upToPosition);
}
