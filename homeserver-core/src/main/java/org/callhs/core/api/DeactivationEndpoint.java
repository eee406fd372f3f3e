package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.account.AccountDeactivation;
import org.callhs.core.account.PasswordCheck;
import org.callhs.core.account.UserInteractiveAuth;
import org.callhs.core.auth.Requester;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * {@code POST /account/deactivate}: user-interactive auth with {@code m.login.password} (a 401
 * with the flows and a session first), then {@link AccountDeactivation}; {@code erase} (optional
 * boolean) also removes the display name and avatar. This server binds no third-party IDs, so
 * the answer's {@code id_server_unbind_result} is {@code no-support}; {@code id_server} must be a
 * string when given. 400 {@code M_BAD_JSON} for wrong types.
 * Spec: <a href="https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3accountdeactivate">Account deactivation</a>.
 */
public final class DeactivationEndpoint implements Routes {
    private final AccountDeactivation deactivation;
    private final UserInteractiveAuth uia;
    private final PasswordCheck passwordCheck;

    public DeactivationEndpoint(AccountDeactivation deactivation, UserInteractiveAuth uia, PasswordCheck passwordCheck) {
        this.deactivation = deactivation;
        this.uia = uia;
        this.passwordCheck = passwordCheck;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/account/deactivate", AuthKind.USER, null, this::deactivate);
    }

    private ApiResponse deactivate(ApiRequest request) {
        Requester requester = request.requester();
        ObjectNode body = request.jsonObject();
        boolean erase = Bodies.optionalBoolean(body, "erase", false);
        Bodies.optionalString(body, "id_server");
        uia.require(body, "deactivate", requester.userId(), List.of(new UserInteractiveAuth.Flow(List.of(UserInteractiveAuth.PASSWORD))),
                passwordCheck.forUser(requester.userId()));
        deactivation.deactivate(requester.userId(), requester.deviceId(), erase);
        return ApiResponse.ok(Json.object().put("id_server_unbind_result", "no-support"));
    }
}
