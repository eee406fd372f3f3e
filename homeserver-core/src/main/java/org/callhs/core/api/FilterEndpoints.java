package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.FilterRepository;
import org.callhs.core.util.Json;

/**
 * Filters (Client-Server API "Filtering"): {@code POST /user/{userId}/filter} stores a
 * validated filter ({@link FilterValidator}) under the user's next numeric ID;
 * {@code GET /user/{userId}/filter/{filterId}} returns it (404 {@code M_NOT_FOUND} when
 * unknown, 403 for another user's filters).
 */
public final class FilterEndpoints implements Routes {
    private final Database database;
    private final FilterRepository filters;

    public FilterEndpoints(Database database, FilterRepository filters) {
        this.database = database;
        this.filters = filters;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/user/{userId}/filter", AuthKind.USER, null, this::create));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/user/{userId}/filter/{filterId}", AuthKind.USER, null, this::get));
        return list;
    }

    private ApiResponse create(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "create filters");
        ObjectNode filter = request.jsonObject();
        FilterValidator.validate(filter);
        String text = Json.write(filter);
        long id = database.transaction(tx -> filters.insert(tx, userId, text));
        ObjectNode body = Json.object();
        body.put("filter_id", Long.toString(id));
        return ApiResponse.ok(body);
    }

    private ApiResponse get(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "get filters");
        long id;
        try {
            id = Long.parseLong(request.path("filterId"));
        } catch (NumberFormatException e) {
            throw MatrixException.notFound("No such filter");
        }
        String definition = filters.find(database.dsl(), userId, id).orElseThrow(() -> MatrixException.notFound("No such filter"));
        return ApiResponse.ok(Json.parse(definition));
    }
}
