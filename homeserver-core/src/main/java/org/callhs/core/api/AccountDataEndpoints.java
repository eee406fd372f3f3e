package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.util.Json;

/**
 * Client config / account data (Client-Server API "Client Config").
 *
 * <ul>
 * <li>{@code GET/PUT /user/{userId}/account_data/{type}} and
 *     {@code GET/PUT /user/{userId}/rooms/{roomId}/account_data/{type}}: own account only
 *     (403), content must be a JSON object, unknown types are 404 {@code M_NOT_FOUND}.
 * <li>Server-managed types ({@code m.fully_read}, {@code m.push_rules}) cannot be set: 405 {@code M_BAD_JSON}.
 * <li>Each write takes the next position on the {@code account_data} stream (for /sync).
 * <li>Room tags (<a href="https://spec.matrix.org/v1.16/client-server-api/#room-tagging">spec</a>):
 *     {@code GET /user/{userId}/rooms/{roomId}/tags}, {@code PUT} and {@code DELETE
 *     .../tags/{tag}}, kept in the room's {@code m.tag} account data as {@code {"tags": {...}}};
 *     a tag's content is an object whose {@code order}, when present, is a number (400
 *     {@code M_BAD_JSON} otherwise); removing a tag the room does not have is not an error.
 * </ul>
 */
public final class AccountDataEndpoints implements Routes {
    private static final Set<String> SERVER_MANAGED = Set.of("m.fully_read", "m.push_rules");
    private static final int MAX_TYPE_BYTES = 255;
    private final AccountDataService accountData;

    public AccountDataEndpoints(AccountDataService accountData) {
        this.accountData = accountData;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/user/{userId}/account_data/{type}", AuthKind.USER, null,
                r -> get(r, "")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/user/{userId}/account_data/{type}", AuthKind.USER, null,
                r -> put(r, "")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/user/{userId}/rooms/{roomId}/account_data/{type}",
                AuthKind.USER, null, r -> get(r, roomId(r))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/user/{userId}/rooms/{roomId}/account_data/{type}",
                AuthKind.USER, null, r -> put(r, roomId(r))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/user/{userId}/rooms/{roomId}/tags", AuthKind.USER, null,
                this::getTags));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/user/{userId}/rooms/{roomId}/tags/{tag}", AuthKind.USER, null,
                this::putTag));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "DELETE", "/user/{userId}/rooms/{roomId}/tags/{tag}", AuthKind.USER, null,
                this::deleteTag));
        return list;
    }

    private ObjectNode tags(String userId, String roomId) {
        ObjectNode content = accountData.find(userId, roomId, "m.tag").map(Json::parse)
                .filter(n -> n instanceof ObjectNode).map(n -> (ObjectNode) n).orElseGet(Json::object);
        if (!(content.get("tags") instanceof ObjectNode)) content.putObject("tags");
        return content;
    }

    private ApiResponse getTags(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "read tags");
        return ApiResponse.ok(Json.object().set("tags", tags(userId, roomId(request)).get("tags")));
    }

    private ApiResponse putTag(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "set tags");
        String roomId = roomId(request);
        String tag = request.path("tag");
        if (tag.isEmpty() || tag.getBytes(StandardCharsets.UTF_8).length > MAX_TYPE_BYTES) {
            throw MatrixException.invalidParam("A tag must be 1 to " + MAX_TYPE_BYTES + " bytes");
        }
        ObjectNode body = request.requiredJsonObject();
        if (body.has("order") && !body.get("order").isNumber()) throw MatrixException.badJson("order must be a number");
        ObjectNode content = tags(userId, roomId);
        ((ObjectNode) content.get("tags")).set(tag, body);
        accountData.put(userId, roomId, "m.tag", Json.write(content));
        return ApiResponse.empty();
    }

    private ApiResponse deleteTag(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "remove tags");
        String roomId = roomId(request);
        ObjectNode content = tags(userId, roomId);
        if (((ObjectNode) content.get("tags")).remove(request.path("tag")) != null) {
            accountData.put(userId, roomId, "m.tag", Json.write(content));
        }
        return ApiResponse.empty();
    }

    private static String roomId(ApiRequest request) {
        String roomId = request.path("roomId");
        if (!roomId.startsWith("!") || roomId.length() < 2 || roomId.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw MatrixException.invalidParam("Invalid room ID " + roomId);
        }
        return roomId;
    }

    private ApiResponse get(ApiRequest request, String roomId) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "get account data");
        String content = accountData.find(userId, roomId, request.path("type"))
                .orElseThrow(() -> MatrixException.notFound("Account data not found"));
        return ApiResponse.ok(Json.parse(content));
    }

    private ApiResponse put(ApiRequest request, String roomId) {
        String userId = request.path("userId");
        String type = request.path("type");
        Bodies.requireSelf(request.requester(), userId, "add account data");
        if (type.isEmpty() || type.getBytes(StandardCharsets.UTF_8).length > MAX_TYPE_BYTES) {
            throw MatrixException.invalidParam("Account data type must be 1 to " + MAX_TYPE_BYTES + " bytes");
        }
        if (SERVER_MANAGED.contains(type)) {
            throw new MatrixException(org.callhs.core.error.ErrCode.BAD_JSON, 405,
                    "Cannot set " + type + " through this API: the server manages it");
        }
        ObjectNode content = request.jsonObject();
        String text = Json.write(content);
        accountData.put(userId, roomId, type, text);
        return ApiResponse.empty();
    }
}
