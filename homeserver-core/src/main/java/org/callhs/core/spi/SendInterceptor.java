package org.callhs.core.spi;

import java.util.Optional;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.room.EventDraft;

/**
 * Takes over a client's send instead of sending it now (MSC4140 keeps the decorated draft and
 * answers {@code {"delay_id"}}). The first interceptor that answers wins; empty means "send
 * normally".
 */
@FunctionalInterface
public interface SendInterceptor {
    Optional<ApiResponse> intercept(EventDraft draft, ApiRequest request);
}
