package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;
import org.jooq.DSLContext;

/**
 * Writes a module's own rows for an event inside the transaction that writes the event, so both
 * commit or neither does (MSC4354 records sticky events this way). Events commit in stream order,
 * so a module that keys its rows by {@link PersistedEvent#streamOrdering()} gets a gap-free stream.
 * Called under the room lock: keep it to a statement or two. An exception aborts the send.
 */
@FunctionalInterface
public interface EventWriteHook {
    void written(DSLContext tx, PersistedEvent event);
}
