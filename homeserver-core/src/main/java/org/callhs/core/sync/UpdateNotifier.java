package org.callhs.core.sync;

import java.util.Collection;

/**
 * Told after a commit that a stream moved on, so that waiting {@code /sync} long-polls wake.
 * Call it after the transaction committed, never inside it.
 */
public interface UpdateNotifier {
    /** Something on {@code stream} up to {@code position} concerns these users. */
    void usersUpdated(String stream, long position, Collection<String> userIds);

    /** Something on {@code stream} up to {@code position} concerns everyone joined to the room. */
    void roomUpdated(String stream, long position, String roomId);

    /** Something concerns {@code userId} and every user sharing a room with them (device lists, presence). */
    void peersUpdated(String stream, long position, String userId);
}
