package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.callhs.core.account.AccountService;
import org.callhs.core.account.LoginSession;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.account.UserInteractiveAuth.Flow;
import org.callhs.core.config.HomeserverConfig.RegistrationConfig;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Account registration (Client-Server API "Account registration and management").
 *
 * <ul>
 * <li>{@code POST /_matrix/client/v3/register}: {@code kind=user} runs user-interactive auth
 *     ({@code m.login.dummy}, or {@code m.login.registration_token} when
 *     {@code registration.require_token} is set); the username is checked before the first
 *     401 so clients learn about taken names early. {@code kind=guest} ignores every body field
 *     but {@code initial_device_display_name}. {@code inhibit_login} returns only the user ID.
 *     Closed registration (or guests turned off) is 403 {@code M_FORBIDDEN}.
 * <li>{@code GET /_matrix/client/v3/register/available}
 * <li>{@code GET /_matrix/client/v1/register/m.login.registration_token/validity}
 * </ul>
 */
public final class RegistrationEndpoints implements Routes {
    private final AccountService accounts;
    private final UserInteractiveAuth uia;
    private final RegistrationConfig config;

    public RegistrationEndpoints(AccountService accounts, UserInteractiveAuth uia, RegistrationConfig config) {
        this.accounts = accounts;
        this.uia = uia;
        this.config = config;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/register", AuthKind.NONE, "registration", this::register));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/register/available", AuthKind.NONE, "registration", this::available));
        list.addAll(Endpoint.under(Endpoint.CLIENT_V1, "GET", "/register/m.login.registration_token/validity",
                AuthKind.NONE, "registration", this::tokenValidity));
        return list;
    }

    private ApiResponse register(ApiRequest request) {
        String kind = request.query("kind").orElse("user");
        ObjectNode body = request.jsonObject();
        if (!config.enabled()) throw MatrixException.forbidden("Registration has been disabled");
        return switch (kind) {
            case "guest" -> registerGuest(body);
            case "user" -> registerUser(body);
            default -> throw new MatrixException(ErrCode.UNRECOGNIZED, 400, "Unknown registration kind " + kind);
        };
    }

    private ApiResponse registerGuest(ObjectNode body) {
        if (!config.allowGuests()) throw MatrixException.forbidden("Guest access is disabled");
        String displayName = Bodies.optionalString(body, "initial_device_display_name");
        return ApiResponse.ok(sessionBody(accounts.registerGuest(displayName)));
    }

    private ApiResponse registerUser(ObjectNode body) {
        String username = Bodies.optionalString(body, "username");
        String password = Bodies.optionalString(body, "password");
        String deviceId = Bodies.optionalString(body, "device_id");
        String displayName = Bodies.optionalString(body, "initial_device_display_name");
        boolean inhibitLogin = Bodies.optionalBoolean(body, "inhibit_login", false);
        boolean refreshable = Bodies.optionalBoolean(body, "refresh_token", false);
        String localpart = username == null ? null : accounts.checkUsernameAvailable(username);
        if (password != null) AccountService.checkPassword(password);
        // As Synapse: a body without a password (even {}) first gets the UIA flows (401); the
        // missing password is refused once the stages are done.
        uia.require(body, "register", null, flows(), (stage, auth) -> checkStage(stage, auth));
        if (password == null) throw MatrixException.missingParam("Missing params: password");
        if (localpart == null) localpart = generatedLocalpart();
        Optional<LoginSession> session = accounts.register(localpart, password, false, false, inhibitLogin, deviceId, displayName,
                refreshable);
        if (session.isEmpty()) {
            ObjectNode out = Json.object();
            out.put("user_id", org.callhs.core.util.MatrixIds.userId(localpart, accounts.serverName()));
            out.put("home_server", accounts.serverName());
            return ApiResponse.ok(out);
        }
        return ApiResponse.ok(sessionBody(session.get()));
    }

    private String generatedLocalpart() {
        for (int i = 0; i < 10; i++) {
            String candidate = "u" + org.callhs.core.account.Tokens.random("abcdefghijklmnopqrstuvwxyz0123456789", 11);
            try {
                return accounts.checkUsernameAvailable(candidate);
            } catch (MatrixException e) {
                if (!ErrCode.USER_IN_USE.equals(e.errcode())) throw e;
            }
        }
        throw new MatrixException(ErrCode.UNKNOWN, 500, "Could not generate a user ID");
    }

    private List<Flow> flows() {
        return config.requireToken()
                ? List.of(new Flow(List.of(UserInteractiveAuth.REGISTRATION_TOKEN)))
                : List.of(new Flow(List.of(UserInteractiveAuth.DUMMY)));
    }

    private void checkStage(String stage, ObjectNode auth) {
        switch (stage) {
            case UserInteractiveAuth.DUMMY -> { }
            case UserInteractiveAuth.REGISTRATION_TOKEN -> {
                String token = auth.path("token").isTextual() ? auth.get("token").textValue() : null;
                if (token == null) throw MatrixException.missingParam("Missing registration token");
                if (!config.tokens().contains(token)) {
                    throw new MatrixException("M_UNAUTHORIZED", 401, "Invalid registration token");
                }
            }
            default -> throw new MatrixException(ErrCode.UNRECOGNIZED, 401, "Unsupported stage " + stage);
        }
    }

    private ApiResponse available(ApiRequest request) {
        if (!config.enabled()) throw MatrixException.forbidden("Registration has been disabled");
        String username = request.query("username").orElseThrow(() -> MatrixException.missingParam("Missing username"));
        accounts.checkUsernameAvailable(username);
        ObjectNode body = Json.object();
        body.put("available", true);
        return ApiResponse.ok(body);
    }

    private ApiResponse tokenValidity(ApiRequest request) {
        if (!config.enabled()) throw MatrixException.forbidden("Registration has been disabled");
        String token = request.query("token").orElseThrow(() -> MatrixException.missingParam("Missing token"));
        ObjectNode body = Json.object();
        body.put("valid", config.requireToken() && config.tokens().contains(token));
        return ApiResponse.ok(body);
    }

    private ObjectNode sessionBody(LoginSession session) {
        ObjectNode out = Json.object();
        out.put("user_id", session.userId());
        out.put("access_token", session.accessToken());
        out.put("device_id", session.deviceId());
        out.put("home_server", accounts.serverName());
        LoginEndpoints.putRefresh(out, session);
        return out;
    }
}
