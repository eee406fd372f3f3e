package org.callhs.core.room.resolve;

import java.util.Optional;

/**
 * Where state resolution reads events: by ID, from whatever the caller holds (the database,
 * events just received, a test's map). An event it cannot find is treated as absent: it takes
 * no part in auth chains or checks, which is what the spec asks of events a server never got.
 */
@FunctionalInterface
public interface EventSource {
    Optional<ResolvableEvent> event(String eventId);
}
