package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;

/**
 * Called after an event is committed, in stream order per room, on the writing thread:
 * keep it quick and hand slow work to an executor. Exceptions are logged, not propagated.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(PersistedEvent event);
}
