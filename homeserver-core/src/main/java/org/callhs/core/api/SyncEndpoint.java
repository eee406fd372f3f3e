package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.FilterRepository;
import org.callhs.core.sync.SyncFilter;
import org.callhs.core.sync.SyncRequest;
import org.callhs.core.sync.SyncService;
import org.callhs.core.sync.SyncToken;
import org.callhs.core.util.Json;

/**
 * {@code GET /sync} (Client-Server API "Syncing", {@code GET /_matrix/client/v3/sync}).
 * Parameters: {@code since} (a {@code next_batch}; malformed is 400 {@code M_INVALID_PARAM}),
 * {@code filter} (inline JSON starting with a brace, or the ID of a stored filter; an unknown ID
 * is 400 {@code M_INVALID_PARAM} as Synapse answers, malformed JSON 400 {@code M_NOT_JSON},
 * the wrong shape 400 {@code M_BAD_JSON}), {@code full_state}, {@code set_presence} and
 * {@code timeout} in milliseconds (at most {@value #MAX_TIMEOUT_MS}), and {@code use_state_after}
 * (spec v1.16, MSC4222; the unstable {@code org.matrix.msc4222.use_state_after} that matrix-js-sdk
 * sends): {@code true} replaces each room's {@code state} with {@code state_after} (the unstable
 * name answers {@code org.matrix.msc4222.state_after}); values other than true and false are 400
 * {@code M_INVALID_PARAM}.
 * Spec: <a href="https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3sync">GET /sync</a>.
 */
public final class SyncEndpoint implements Routes {
    static final long MAX_TIMEOUT_MS = 600_000;
    private static final Set<String> PRESENCE = Set.of("online", "offline", "unavailable");
    private final SyncService sync;
    private final Database database;
    private final FilterRepository filters;

    public SyncEndpoint(SyncService sync, Database database, FilterRepository filters) {
        this.sync = sync;
        this.database = database;
        this.filters = filters;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/sync", AuthKind.USER_OR_GUEST, null, this::sync);
    }

    private ApiResponse sync(ApiRequest request) {
        SyncToken since = request.query("since").filter(s -> !s.isEmpty()).map(SyncToken::parse).orElse(null);
        SyncFilter filter = filter(request);
        boolean fullState = QueryParams.bool(request, "full_state", false);
        String setPresence = request.query("set_presence").orElse("online");
        if (!PRESENCE.contains(setPresence)) throw MatrixException.invalidParam("set_presence must be online, offline or unavailable");
        long timeout = timeout(request);
        String stateAfter = QueryParams.bool(request, "use_state_after", false) ? SyncRequest.STATE_AFTER
                : QueryParams.bool(request, "org.matrix.msc4222.use_state_after", false) ? SyncRequest.UNSTABLE_STATE_AFTER : null;
        try {
            return ApiResponse.ok(sync.sync(new SyncRequest(request.requester(), since, filter, fullState, timeout, setPresence,
                    stateAfter)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 503, "Server shutting down");
        }
    }

    private static long timeout(ApiRequest request) {
        String text = request.query("timeout").orElse("0");
        try {
            long value = Long.parseLong(text);
            if (value < 0) throw MatrixException.invalidParam("timeout must not be negative");
            return Math.min(value, MAX_TIMEOUT_MS);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("timeout must be an integer number of milliseconds");
        }
    }

    private SyncFilter filter(ApiRequest request) {
        String text = request.query("filter").orElse(null);
        if (text == null || text.isEmpty()) return SyncFilter.of(null);
        JsonNode node;
        if (text.trim().startsWith("{")) {
            try {
                node = Json.parse(text);
            } catch (RuntimeException e) {
                throw MatrixException.notJson("filter is not valid JSON");
            }
        } else {
            long id;
            try {
                id = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("No such filter: " + text);
            }
            String stored = filters.find(database.dsl(), request.requester().userId(), id)
                    .orElseThrow(() -> MatrixException.invalidParam("No such filter: " + text));
            node = Json.parse(stored);
        }
        if (!node.isObject()) throw MatrixException.badJson("filter must be a JSON object");
        FilterValidator.validate(node);
        return SyncFilter.of(node);
    }
}
