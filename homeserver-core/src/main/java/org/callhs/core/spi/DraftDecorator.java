package org.callhs.core.spi;

import org.callhs.core.http.ApiRequest;
import org.callhs.core.room.EventDraft;

/**
 * Changes a client's send before it becomes an event, from the request's query parameters
 * (e.g. MSC4354's {@code org.matrix.msc4354.sticky_duration_ms} adds a top-level PDU key).
 * Called for {@code PUT /send} and {@code PUT /state} in registration order; throw a
 * {@link org.callhs.core.error.MatrixException} for bad parameters.
 */
@FunctionalInterface
public interface DraftDecorator {
    EventDraft decorate(EventDraft draft, ApiRequest request);
}
