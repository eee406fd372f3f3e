package org.callhs.delayed;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.admin.AdminAccess;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * A user's delayed events for server admins (this server's own admin path; Synapse has none):
 * <ul>
 * <li>{@code GET /_callhs/admin/v1/users/{userId}/delayed_events}: {@code {delayed_events, total}},
 *     the scheduled ones, each as the MSC's {@code GET /delayed_events} renders it</li>
 * <li>{@code DELETE /_callhs/admin/v1/users/{userId}/delayed_events/{delayId}}: cancels it, {@code {}};
 *     404 {@code M_NOT_FOUND} when the user has no such event still scheduled or finalised unsent</li>
 * </ul>
 * Admins only (403 {@code M_FORBIDDEN}); the user must be local (400 {@code M_UNKNOWN}) and well formed (400 {@code M_INVALID_PARAM}).
 * MSC: <a href="https://github.com/matrix-org/matrix-spec-proposals/pull/4140">MSC4140</a>.
 */
final class DelayedEventAdminEndpoints implements Routes {
    static final String PREFIX = "/_callhs/admin/v1/users/{userId}/delayed_events";

    private final DelayedEventService service;
    private final String serverName;

    DelayedEventAdminEndpoints(DelayedEventService service, String serverName) {
        this.service = service;
        this.serverName = serverName;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", PREFIX, AuthKind.USER, null, this::list),
                new Endpoint("DELETE", PREFIX + "/{delayId}", AuthKind.USER, null, this::cancel));
    }

    private ApiResponse list(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.localUser(request, serverName, "Can only look up local users");
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("delayed_events");
        List<DelayedEvent> scheduled = service.scheduled(userId);
        scheduled.forEach(event -> items.add(DelayedEventEndpoints.render(event)));
        body.put("total", scheduled.size());
        return ApiResponse.ok(body);
    }

    private ApiResponse cancel(ApiRequest request) {
        AdminAccess.requireAdmin(request);
        String userId = AdminAccess.localUser(request, serverName, "Can only look up local users");
        service.cancelFor(request.path("delayId"), userId);
        return ApiResponse.ok(Json.object());
    }
}
