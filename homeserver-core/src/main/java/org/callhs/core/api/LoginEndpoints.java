package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.account.AccountService;
import org.callhs.core.account.DeviceService;
import org.callhs.core.account.LoginSession;
import org.callhs.core.account.PasswordCheck;
import org.callhs.core.account.RefreshTokens;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.auth.Requester;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.schema.tables.records.UsersRecord;
import org.callhs.core.util.Json;

/**
 * Login and sessions (Client-Server API "Login", "Account management").
 *
 * <ul>
 * <li>{@code GET /login}: the {@code m.login.password} flow.
 * <li>{@code POST /login}: {@code m.login.password} with an {@code m.id.user} identifier (or
 *     the deprecated top-level {@code user}), localpart or full user ID; {@code device_id}
 *     reuses an existing device; {@code initial_device_display_name} names a new one.
 * <li>{@code POST /logout}: revokes the token and deletes its device. {@code POST /logout/all}:
 *     every device and token of the user.
 * <li>{@code GET /account/whoami}: user, device and {@code is_guest}.
 * <li>{@code POST /account/password}: user-interactive auth with {@code m.login.password};
 *     {@code logout_devices} (default true) logs out every other device.
 * <li>{@code refresh_token: true} on login (and registration) asks for a refresh token, given
 *     with {@code expires_in_ms} while refresh tokens are enabled ({@link RefreshTokens});
 *     {@code POST /refresh} trades one for a new pair
 *     (<a href="https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3refresh">spec</a>).
 * </ul>
 */
public final class LoginEndpoints implements Routes {
    private final AccountService accounts;
    private final DeviceService devices;
    private final UserInteractiveAuth uia;
    private final PasswordCheck passwordCheck;
    private final HomeserverConfig config;
    private final RefreshTokens refreshTokens;

    public LoginEndpoints(AccountService accounts, DeviceService devices, UserInteractiveAuth uia, PasswordCheck passwordCheck,
                          HomeserverConfig config, RefreshTokens refreshTokens) {
        this.refreshTokens = refreshTokens;
        this.accounts = accounts;
        this.devices = devices;
        this.uia = uia;
        this.passwordCheck = passwordCheck;
        this.config = config;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/login", AuthKind.NONE, null, r -> loginFlows()));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/login", AuthKind.NONE, "login", this::login));
        list.add(new Endpoint("POST", "/_matrix/client/v3/refresh", AuthKind.NONE, null, this::refresh));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/logout", AuthKind.USER, null, this::logout));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/logout/all", AuthKind.USER, null, this::logoutAll));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/account/whoami", AuthKind.USER_OR_GUEST, null, this::whoami));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/account/password", AuthKind.USER, null, this::changePassword));
        return list;
    }

    private ApiResponse loginFlows() {
        ObjectNode body = Json.object();
        body.putArray("flows").addObject().put("type", UserInteractiveAuth.PASSWORD);
        return ApiResponse.ok(body);
    }

    private ApiResponse login(ApiRequest request) {
        ObjectNode body = request.jsonObject();
        String type = Bodies.requireString(body, "type");
        if (!UserInteractiveAuth.PASSWORD.equals(type)) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Unknown login type " + type);
        }
        String identifier = userIdentifier(body);
        String password = Bodies.requireString(body, "password");
        String deviceId = Bodies.optionalString(body, "device_id");
        String displayName = Bodies.optionalString(body, "initial_device_display_name");
        boolean refreshable = Bodies.optionalBoolean(body, "refresh_token", false);
        UsersRecord user = accounts.checkPassword(identifier, password);
        LoginSession session = accounts.login(user.getUserId(), deviceId, displayName, refreshable);
        ObjectNode out = Json.object();
        out.put("user_id", session.userId());
        out.put("access_token", session.accessToken());
        out.put("device_id", session.deviceId());
        out.put("home_server", accounts.serverName());
        out.putObject("well_known").putObject("m.homeserver").put("base_url", config.effectivePublicBaseurl());
        putRefresh(out, session);
        return ApiResponse.ok(out);
    }

    /** {@code refresh_token} and {@code expires_in_ms} of a session that has them. */
    static void putRefresh(ObjectNode out, LoginSession session) {
        if (session.refreshToken() == null) return;
        out.put("refresh_token", session.refreshToken());
        out.put("expires_in_ms", session.expiresInMs());
    }

    private ApiResponse refresh(ApiRequest request) {
        ObjectNode body = request.requiredJsonObject();
        LoginSession session = refreshTokens.refresh(Bodies.requireString(body, "refresh_token"));
        ObjectNode out = Json.object();
        out.put("access_token", session.accessToken());
        out.put("expires_in_ms", session.expiresInMs());
        out.put("refresh_token", session.refreshToken());
        return ApiResponse.ok(out);
    }

    /** The user named by {@code identifier} ({@code m.id.user}) or the deprecated top-level {@code user}. */
    static String userIdentifier(ObjectNode body) {
        ObjectNode identifier = Bodies.optionalObject(body, "identifier");
        if (identifier != null) {
            String idType = Bodies.requireString(identifier, "type");
            if (!"m.id.user".equals(idType)) {
                throw new MatrixException(ErrCode.UNKNOWN, 400, "Unsupported identifier type " + idType);
            }
            return Bodies.requireString(identifier, "user");
        }
        JsonNode user = body.get("user");
        if (user != null && user.isTextual()) return user.textValue();
        throw MatrixException.missingParam("Missing identifier");
    }

    private ApiResponse logout(ApiRequest request) {
        Requester requester = request.requester();
        devices.delete(requester.userId(), List.of(requester.deviceId()));
        return ApiResponse.empty();
    }

    private ApiResponse logoutAll(ApiRequest request) {
        devices.deleteAllExcept(request.requester().userId(), null);
        return ApiResponse.empty();
    }

    private ApiResponse whoami(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode out = Json.object();
        out.put("user_id", requester.userId());
        out.put("device_id", requester.deviceId());
        out.put("is_guest", requester.guest());
        return ApiResponse.ok(out);
    }

    private ApiResponse changePassword(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode body = request.jsonObject();
        String newPassword = Bodies.requireString(body, "new_password");
        boolean logoutDevices = Bodies.optionalBoolean(body, "logout_devices", true);
        AccountService.checkPassword(newPassword);
        uia.require(body, "password", requester.userId(), List.of(new UserInteractiveAuth.Flow(List.of(UserInteractiveAuth.PASSWORD))),
                passwordCheck.forUser(requester.userId()));
        accounts.changePassword(requester.userId(), newPassword, logoutDevices, requester.deviceId());
        return ApiResponse.empty();
    }
}
