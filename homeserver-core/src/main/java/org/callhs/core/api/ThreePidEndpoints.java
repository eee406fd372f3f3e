package org.callhs.core.api;

import java.util.ArrayList;
import java.util.List;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Third-party identifiers (Client-Server API "Adding Account Administrative Contact
 * Information"). This server handles no email addresses or phone numbers (no mail or SMS
 * sender, no identity server), so:
 *
 * <ul>
 * <li>{@code GET /account/3pid}: {@code {"threepids": []}}.
 * <li>{@code POST /account/3pid/{email,msisdn}/requestToken},
 *     {@code /register/{email,msisdn}/requestToken}, {@code /account/password/{email,msisdn}/requestToken},
 *     {@code /account/3pid/add} and {@code /account/3pid/bind}: 403 {@code M_THREEPID_DENIED}
 *     saying so, rather than a 404 a client would read as an old server.
 * <li>{@code POST /account/3pid/delete} and {@code /account/3pid/unbind}: nothing is bound, so
 *     there is nothing to remove: 200 with {@code id_server_unbind_result: "no-support"}.
 * </ul>
 * Spec: <a href="https://spec.matrix.org/v1.16/client-server-api/#adding-account-administrative-contact-information">3PIDs</a>.
 */
public final class ThreePidEndpoints implements Routes {
    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/account/3pid", AuthKind.USER, null,
                r -> ApiResponse.ok(Json.object().set("threepids", Json.array()))));
        for (String medium : List.of("email", "msisdn")) {
            for (String prefix : List.of("/account/3pid/", "/register/", "/account/password/")) {
                AuthKind auth = prefix.equals("/account/3pid/") ? AuthKind.USER : AuthKind.NONE;
                list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", prefix + medium + "/requestToken", auth, null, this::denied));
            }
        }
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/account/3pid/add", AuthKind.USER, null, this::denied));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/account/3pid/bind", AuthKind.USER, null, this::denied));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/account/3pid/delete", AuthKind.USER, null, this::nothingBound));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/account/3pid/unbind", AuthKind.USER, null, this::nothingBound));
        return list;
    }

    private ApiResponse denied(ApiRequest request) {
        request.requiredJsonObject();
        throw new MatrixException(ErrCode.THREEPID_DENIED, 403, "This server does not handle email addresses or phone numbers");
    }

    private ApiResponse nothingBound(ApiRequest request) {
        var body = request.requiredJsonObject();
        Bodies.requireString(body, "medium");
        Bodies.requireString(body, "address");
        return ApiResponse.ok(Json.object().put("id_server_unbind_result", "no-support"));
    }
}
