package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.push.PushRuleService;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Push rules (Client-Server API "Push Rules: API").
 *
 * <ul>
 * <li>{@code GET /pushrules/} ({@code {"global": ruleset}}), {@code GET /pushrules/global/}.
 * <li>{@code GET/PUT/DELETE /pushrules/global/{kind}/{ruleId}}: user rules; IDs starting with
 *     '.' are reserved for server defaults (400 {@code M_UNKNOWN}, as Synapse), server
 *     defaults cannot be deleted (404 {@code M_NOT_FOUND}).
 * <li>{@code GET/PUT .../enabled} and {@code .../actions}: for user and server-default rules.
 * </ul>
 * Scopes other than {@code global} are unknown endpoints (404 {@code M_UNRECOGNIZED}).
 */
public final class PushRuleEndpoints implements Routes {
    private final PushRuleService service;

    public PushRuleEndpoints(PushRuleService service) {
        this.service = service;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        String rule = "/pushrules/global/{kind}/{ruleId}";
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/pushrules/", AuthKind.USER, null, this::getAll));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/pushrules/global/", AuthKind.USER, null, this::getGlobal));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", rule, AuthKind.USER, null, this::get));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", rule, AuthKind.USER, null, this::put));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "DELETE", rule, AuthKind.USER, null, this::delete));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", rule + "/enabled", AuthKind.USER, null, this::getEnabled));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", rule + "/enabled", AuthKind.USER, null, this::setEnabled));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", rule + "/actions", AuthKind.USER, null, this::getActions));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", rule + "/actions", AuthKind.USER, null, this::setActions));
        return list;
    }

    private ApiResponse getAll(ApiRequest request) {
        ObjectNode body = Json.object();
        body.set("global", service.ruleset(request.requester().userId()));
        return ApiResponse.ok(body);
    }

    private ApiResponse getGlobal(ApiRequest request) {
        return ApiResponse.ok(service.ruleset(request.requester().userId()));
    }

    private ApiResponse get(ApiRequest request) {
        return ApiResponse.ok(service.rule(request.requester().userId(), request.path("kind"), request.path("ruleId")));
    }

    private ApiResponse put(ApiRequest request) {
        String kind = request.path("kind");
        String ruleId = request.path("ruleId");
        PushRuleService.requireKind(kind);
        if (ruleId.isEmpty() || ruleId.startsWith(".") || ruleId.contains("/") || ruleId.contains("\\")) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, "Rule IDs must not start with '.' or contain '/' or '\\'");
        }
        ObjectNode body = request.jsonObject();
        String actions = actions(body);
        String conditions = null;
        String pattern = null;
        switch (kind) {
            case "override", "underride" -> {
                JsonNode c = body.get("conditions");
                if (c == null) c = Json.array();
                if (!c.isArray()) throw MatrixException.badJson("conditions must be an array");
                for (JsonNode condition : c) {
                    if (!condition.isObject() || !condition.path("kind").isTextual()) {
                        throw MatrixException.badJson("each condition must be an object with a kind");
                    }
                }
                conditions = Json.write(c);
            }
            case "content" -> pattern = Bodies.requireString(body, "pattern");
            default -> { }
        }
        service.put(request.requester().userId(), kind, ruleId, request.query("before").orElse(null),
                request.query("after").orElse(null), conditions, pattern, actions);
        return ApiResponse.empty();
    }

    private static String actions(ObjectNode body) {
        JsonNode actions = body.get("actions");
        if (actions == null) throw MatrixException.missingParam("Missing actions");
        if (!actions.isArray()) throw MatrixException.badJson("actions must be an array");
        for (JsonNode action : actions) {
            if (!action.isTextual() && !action.isObject()) throw MatrixException.badJson("actions must be strings or objects");
        }
        return Json.write(actions);
    }

    private ApiResponse delete(ApiRequest request) {
        String kind = request.path("kind");
        PushRuleService.requireKind(kind);
        service.delete(request.requester().userId(), kind, request.path("ruleId"));
        return ApiResponse.empty();
    }

    private ApiResponse getEnabled(ApiRequest request) {
        ObjectNode rule = service.rule(request.requester().userId(), request.path("kind"), request.path("ruleId"));
        ObjectNode body = Json.object();
        body.put("enabled", rule.path("enabled").asBoolean());
        return ApiResponse.ok(body);
    }

    private ApiResponse setEnabled(ApiRequest request) {
        JsonNode enabled = request.jsonObject().get("enabled");
        if (enabled == null || !enabled.isBoolean()) throw MatrixException.badJson("enabled must be a boolean");
        service.setEnabled(request.requester().userId(), request.path("kind"), request.path("ruleId"), enabled.booleanValue());
        return ApiResponse.empty();
    }

    private ApiResponse getActions(ApiRequest request) {
        ObjectNode rule = service.rule(request.requester().userId(), request.path("kind"), request.path("ruleId"));
        ObjectNode body = Json.object();
        body.set("actions", rule.get("actions"));
        return ApiResponse.ok(body);
    }

    private ApiResponse setActions(ApiRequest request) {
        service.setActions(request.requester().userId(), request.path("kind"), request.path("ruleId"), actions(request.jsonObject()));
        return ApiResponse.empty();
    }
}
