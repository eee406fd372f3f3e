package org.callhs.core.spi;

import java.util.List;
import org.jooq.DSLContext;

/**
 * The queue of what this server sends another one, as a feature module may use it: stored events
 * queued for one destination in the caller's transaction (durable, in the given order, ahead of
 * anything queued after that transaction commits), then a wake-up once it committed. The
 * federation module provides it; without federation nothing is queued.
 */
public interface ServerOutbox {
    /** Queues the stored PDUs of {@code eventIds} (unknown ones are skipped) for {@code destination}, in this order. */
    void enqueueEvents(DSLContext tx, String destination, List<String> eventIds);

    /** Makes the destination's sender look at its queue (call after the transaction committed). */
    void wake(String destination);

    /** Queues nothing. */
    ServerOutbox NONE = new ServerOutbox() {
        @Override public void enqueueEvents(DSLContext tx, String destination, List<String> eventIds) { }
        @Override public void wake(String destination) { }
    };
}
