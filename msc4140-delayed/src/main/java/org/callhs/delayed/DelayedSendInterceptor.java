package org.callhs.delayed;

import java.util.Optional;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.room.EventDraft;
import org.callhs.core.spi.SendInterceptor;
import org.callhs.core.util.Json;

/**
 * Schedules instead of sending when {@code PUT/POST /rooms/{roomId}/send/...} or
 * {@code PUT /rooms/{roomId}/state/...} carries {@code org.matrix.msc4140.delay=<ms>} (the form
 * matrix-js-sdk and Synapse use): answers {@code {"delay_id"}}. The draft is stored as other
 * modules decorated it, so a delayed sticky event fires sticky.
 */
final class DelayedSendInterceptor implements SendInterceptor {
    private final DelayedEventService service;

    DelayedSendInterceptor(DelayedEventService service) {
        this.service = service;
    }

    @Override
    public Optional<ApiResponse> intercept(EventDraft draft, ApiRequest request) {
        return DelayQueryParameter.read(request)
                .map(delay -> ApiResponse.ok(Json.object().put("delay_id", service.schedule(draft, delay))));
    }
}
