package org.callhs.core.room.remote;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The rooms this server is joining over federation right now. A resident may send PDUs for the
 * room before its {@code send_join} answer has been stored here (MSC4354 pushes sticky events to
 * a server in the very transaction that accepts its join); {@link PduReceiver} waits for the join
 * to end instead of refusing them as "not in the room", which would lose them.
 */
public final class JoinsInProgress {
    private final Map<String, CountDownLatch> joining = new ConcurrentHashMap<>();

    /** A join in progress; closing it ends it. */
    interface Marked extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks the room as being joined until the returned handle is closed. */
    Marked begin(String roomId) {
        CountDownLatch done = new CountDownLatch(1);
        joining.put(roomId, done);
        return () -> {
            joining.remove(roomId, done);
            done.countDown();
        };
    }

    /** Waits up to {@code timeoutMs} for a join of the room in progress to end; returns at once when there is none. */
    void awaitJoin(String roomId, long timeoutMs) {
        CountDownLatch done = joining.get(roomId);
        if (done == null) return;
        try {
            done.await(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
