package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.presence.PresenceService;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.util.Json;

/**
 * Presence (Client-Server API "Presence"): {@code PUT /presence/{userId}/status} sets the
 * caller's own state ({@code online}, {@code unavailable}, {@code offline}) and status
 * message; {@code GET} returns state, {@code last_active_ago}, {@code currently_active} and
 * {@code status_msg}. Users who never set presence read as offline; unknown users are 404; another
 * server's users read as their server last said over federation (404 when it never did).
 * Changes reach the user and everyone sharing a room with them through {@code /sync}.
 */
public final class PresenceEndpoints implements Routes {
    private static final Set<String> STATES = Set.of("online", "unavailable", "offline");
    private final Database database;
    private final PresenceService presence;
    private final UserRepository users;

    public PresenceEndpoints(Database database, PresenceService presence, UserRepository users) {
        this.database = database;
        this.presence = presence;
        this.users = users;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/presence/{userId}/status", AuthKind.USER, null, this::set));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/presence/{userId}/status", AuthKind.USER, null, this::get));
        return list;
    }

    static boolean validState(String state) {
        return STATES.contains(state);
    }

    private ApiResponse set(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "set presence");
        ObjectNode body = request.jsonObject();
        String state = Bodies.requireString(body, "presence");
        if (!STATES.contains(state)) throw MatrixException.invalidParam("presence must be online, unavailable or offline");
        String statusMsg = Bodies.optionalString(body, "status_msg");
        if (statusMsg != null && statusMsg.length() > 1024) throw MatrixException.invalidParam("status_msg too long");
        presence.set(userId, state, statusMsg);
        return ApiResponse.empty();
    }

    private ApiResponse get(ApiRequest request) {
        String userId = request.path("userId");
        if (users.find(database.dsl(), userId).isEmpty()) {
            // Another server's user: what their server last told us (m.presence), if anything.
            return ApiResponse.ok(presence.find(userId).map(presence::content)
                    .orElseThrow(() -> MatrixException.notFound("Unknown user")));
        }
        return ApiResponse.ok(presence.find(userId).map(presence::content)
                .orElseGet(() -> Json.object().put("presence", "offline")));
    }
}
