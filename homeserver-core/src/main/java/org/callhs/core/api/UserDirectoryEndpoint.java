package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import org.callhs.core.directory.UserDirectory;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.RoomReader;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * {@code POST /user_directory/search}: {@code search_term} (required string), {@code limit}
 * (optional integer, default 10, at most 1,000); answers {@code results} ({@code user_id},
 * {@code display_name} and {@code avatar_url} when known) and {@code limited}. Who can be found
 * is {@link UserDirectory}'s rule. 400 {@code M_MISSING_PARAM} without a search term,
 * {@code M_BAD_JSON} for wrong types, {@code M_INVALID_PARAM} for a negative limit.
 * Spec: <a href="https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3user_directorysearch">User directory</a>.
 */
public final class UserDirectoryEndpoint implements Routes {
    static final int DEFAULT_LIMIT = 10;
    static final int MAX_LIMIT = 1_000;

    private final UserDirectory directory;
    private final RoomReader reader;

    public UserDirectoryEndpoint(UserDirectory directory, RoomReader reader) {
        this.directory = directory;
        this.reader = reader;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/user_directory/search", AuthKind.USER, null, this::search);
    }

    private ApiResponse search(ApiRequest request) {
        ObjectNode body = request.jsonObject();
        String term = Bodies.requireString(body, "search_term");
        int limit = limit(body.get("limit"));
        String searcher = request.requester().userId();
        UserDirectory.Results found = directory.search(searcher, term, limit, new HashSet<>(reader.joinedRooms(searcher)));
        ObjectNode out = Json.object();
        ArrayNode results = out.putArray("results");
        for (UserDirectory.Found f : found.results()) {
            ObjectNode user = results.addObject().put("user_id", f.userId());
            if (f.displayName() != null) user.put("display_name", f.displayName());
            if (f.avatarUrl() != null) user.put("avatar_url", f.avatarUrl());
        }
        out.put("limited", found.limited());
        return ApiResponse.ok(out);
    }

    private static int limit(JsonNode limit) {
        if (limit == null || limit.isNull()) return DEFAULT_LIMIT;
        if (!limit.isIntegralNumber()) throw MatrixException.badJson("limit must be an integer");
        if (limit.asLong() < 0) throw MatrixException.invalidParam("limit must not be negative");
        return (int) Math.min(limit.asLong(), MAX_LIMIT);
    }
}
