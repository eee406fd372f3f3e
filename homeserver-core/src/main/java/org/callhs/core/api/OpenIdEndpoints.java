package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import org.callhs.core.account.Tokens;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.OpenIdTokenRepository;
import org.callhs.core.util.Json;

/**
 * OpenID identity tokens, which MatrixRTC's LiveKit JWT service (element-hq/lk-jwt-service)
 * checks before it hands out a media token.
 *
 * <ul>
 * <li>{@code POST /_matrix/client/v3/user/{userId}/openid/request_token}: a fresh token for the
 *     caller (403 for another user), valid {@value #LIFETIME_SECONDS} s, as Synapse's default.
 *     Client-Server API "OpenID".
 * <li>{@code GET /_matrix/federation/v1/openid/userinfo?access_token=...} on the federation
 *     listener: {@code {"sub": userId}}, or 401 {@code M_UNKNOWN_TOKEN} for an unknown or expired
 *     token (401 {@code M_MISSING_TOKEN} without one). Server-Server API "OpenID".
 * </ul>
 * Each request also purges expired tokens of everyone, a single indexed delete.
 */
public final class OpenIdEndpoints {
    static final long LIFETIME_SECONDS = 3600;
    private final Database database;
    private final OpenIdTokenRepository tokens;
    private final Clock clock;
    private final String serverName;

    public OpenIdEndpoints(Database database, OpenIdTokenRepository tokens, Clock clock, String serverName) {
        this.database = database;
        this.tokens = tokens;
        this.clock = clock;
        this.serverName = serverName;
    }

    /** The Client-Server API endpoint. */
    public Routes clientRoutes() {
        return () -> Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/user/{userId}/openid/request_token", AuthKind.USER, null,
                this::requestToken);
    }

    /** The Server-Server API endpoint (federation listener). */
    public Routes federationRoutes() {
        return () -> List.of(new Endpoint("GET", "/_matrix/federation/v1/openid/userinfo", AuthKind.NONE, null, this::userInfo));
    }

    private ApiResponse requestToken(ApiRequest request) {
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "request OpenID tokens");
        request.jsonObject(); // the body is an empty object; anything else is M_NOT_JSON / M_BAD_JSON
        String token = Tokens.newAccessToken();
        long now = clock.millis();
        database.transaction(tx -> {
            tokens.deleteExpired(tx, now);
            tokens.insert(tx, Tokens.hash(token), userId, now + LIFETIME_SECONDS * 1000);
            return null;
        });
        ObjectNode body = Json.object();
        body.put("access_token", token);
        body.put("token_type", "Bearer");
        body.put("matrix_server_name", serverName);
        body.put("expires_in", LIFETIME_SECONDS);
        return ApiResponse.ok(body);
    }

    private ApiResponse userInfo(ApiRequest request) {
        String token = request.query("access_token").filter(t -> !t.isEmpty())
                .orElseThrow(() -> new MatrixException(ErrCode.MISSING_TOKEN, 401, "Missing access_token"));
        String userId = tokens.userOf(database.dsl(), Tokens.hash(token), clock.millis())
                .orElseThrow(() -> new MatrixException(ErrCode.UNKNOWN_TOKEN, 401, "Unknown or expired OpenID token"));
        return ApiResponse.ok(Json.object().put("sub", userId));
    }
}
