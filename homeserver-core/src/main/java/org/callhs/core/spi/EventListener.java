package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;

/**
 * Called after a timeline event is committed, one event at a time, in the order of the events
 * stream across all rooms, on whichever thread delivers it (usually a writer's): keep it quick
 * and hand slow work to an executor. Exceptions are logged, not propagated.
 */
@FunctionalInterface
public interface EventListener {
    void onEvent(PersistedEvent event);
}
