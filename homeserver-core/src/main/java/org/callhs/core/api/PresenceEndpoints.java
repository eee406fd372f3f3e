package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.PresenceRepository;
import org.callhs.core.storage.repo.UserRepository;
import org.callhs.core.storage.schema.tables.records.PresenceRecord;
import org.callhs.core.util.Json;

/**
 * Presence (Client-Server API "Presence"): {@code PUT /presence/{userId}/status} sets the
 * caller's own state ({@code online}, {@code unavailable}, {@code offline}) and status
 * message; {@code GET} returns state, {@code last_active_ago}, {@code currently_active} and
 * {@code status_msg}. Users who never set presence read as offline; unknown users are 404.
 * Presence is not yet pushed through /sync (that arrives with the sync issue).
 */
public final class PresenceEndpoints implements Routes {
    private static final Set<String> STATES = Set.of("online", "unavailable", "offline");
    private static final long CURRENTLY_ACTIVE_MS = 60_000;
    private final Database database;
    private final PresenceRepository presence;
    private final UserRepository users;
    private final Clock clock;

    public PresenceEndpoints(Database database, PresenceRepository presence, UserRepository users, Clock clock) {
        this.database = database;
        this.presence = presence;
        this.users = users;
        this.clock = clock;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/presence/{userId}/status", AuthKind.USER, null, this::set));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/presence/{userId}/status", AuthKind.USER, null, this::get));
        return list;
    }

    private ApiResponse set(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "set presence");
        ObjectNode body = request.jsonObject();
        String state = Bodies.requireString(body, "presence");
        if (!STATES.contains(state)) throw MatrixException.invalidParam("presence must be online, unavailable or offline");
        String statusMsg = Bodies.optionalString(body, "status_msg");
        if (statusMsg != null && statusMsg.length() > 1024) throw MatrixException.invalidParam("status_msg too long");
        long now = clock.millis();
        database.transaction(tx -> {
            presence.upsert(tx, userId, state, statusMsg, now, now);
            return null;
        });
        return ApiResponse.empty();
    }

    private ApiResponse get(ApiRequest request) {
        String userId = request.path("userId");
        if (users.find(database.dsl(), userId).isEmpty()) throw MatrixException.notFound("Unknown user");
        ObjectNode body = Json.object();
        PresenceRecord record = presence.find(database.dsl(), userId).orElse(null);
        if (record == null) {
            body.put("presence", "offline");
            return ApiResponse.ok(body);
        }
        long ago = Math.max(0, clock.millis() - record.getLastActiveTs());
        body.put("presence", record.getState());
        body.put("last_active_ago", ago);
        body.put("currently_active", "online".equals(record.getState()) && ago < CURRENTLY_ACTIVE_MS);
        if (record.getStatusMsg() != null) body.put("status_msg", record.getStatusMsg());
        return ApiResponse.ok(body);
    }
}
