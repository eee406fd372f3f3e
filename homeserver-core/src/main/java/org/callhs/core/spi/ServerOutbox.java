package org.callhs.core.spi;

import java.util.List;
import org.jooq.DSLContext;

/**
 * The queue of what this server sends another one, as a feature module may use it: stored events
 * queued for one destination in the caller's transaction (durable, in the given order, ahead of
 * anything queued after that transaction commits). The federation module provides it, and wakes a
 * server's sender when a join of one of its users commits, so what was queued in that join's
 * transaction leaves at once; without federation nothing is queued.
 */
@FunctionalInterface
public interface ServerOutbox {
    /** Queues the stored PDUs of {@code eventIds} (unknown ones are skipped) for {@code destination}, in this order. */
    void enqueueEvents(DSLContext tx, String destination, List<String> eventIds);

    /** Queues nothing. */
    ServerOutbox NONE = (tx, destination, eventIds) -> { };
}
