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
        return list;
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
