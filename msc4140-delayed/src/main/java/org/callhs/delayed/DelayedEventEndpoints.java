package org.callhs.delayed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.api.RoomEndpoints;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.EventDraft;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * MSC4140's own endpoints, under {@code /_matrix/client/unstable/org.matrix.msc4140}:
 * <ul>
 * <li>{@code PUT /rooms/{roomId}/delayed_event/{eventType}/{txnId}} with
 *     {@code {delay_ms, state_key?, content}} (the MSC's scheduling endpoint; {@code delay} is
 *     accepted for {@code delay_ms}): {@code {"delay_id"}}, idempotent per transaction ID.
 * <li>{@code GET /delayed_events}: the caller's scheduled events in due order.
 * <li>{@code GET /delayed_events/{delay_id}}: one of the caller's events, scheduled or finalised.
 * <li>{@code POST /delayed_events/{delay_id}/{cancel|restart|send}} and the older
 *     {@code POST /delayed_events/{delay_id}} with {@code {"action"}}: with or without an access
 *     token (without one, the delay ID is the capability).
 * </ul>
 * Items carry the MSC's current field names ({@code delay_ms}, {@code scheduled_at}) and
 * Synapse's ({@code delay}, {@code running_since}), so clients of either shape read them.
 */
final class DelayedEventEndpoints implements Routes {
    static final String PREFIX = "/_matrix/client/unstable/org.matrix.msc4140";
    static final String MANAGEMENT_LIMIT = "delayed_event_mgmt";
    private static final Set<String> ACTIONS = Set.of("cancel", "restart", "send");

    private final DelayedEventService service;
    private final RestartBatcher restarts;

    DelayedEventEndpoints(DelayedEventService service, RestartBatcher restarts) {
        this.service = service;
        this.restarts = restarts;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("PUT", PREFIX + "/rooms/{roomId}/delayed_event/{type}/{txnId}", AuthKind.USER_OR_GUEST, "message",
                        this::schedule),
                new Endpoint("GET", PREFIX + "/delayed_events", AuthKind.USER_OR_GUEST, MANAGEMENT_LIMIT, this::list),
                new Endpoint("GET", PREFIX + "/delayed_events/{delayId}", AuthKind.USER_OR_GUEST, MANAGEMENT_LIMIT, this::get),
                new Endpoint("POST", PREFIX + "/delayed_events/{delayId}/{action}", AuthKind.OPTIONAL, MANAGEMENT_LIMIT,
                        this::actionInPath),
                new Endpoint("POST", PREFIX + "/delayed_events/{delayId}", AuthKind.OPTIONAL, MANAGEMENT_LIMIT, this::actionInBody));
    }

    private ApiResponse schedule(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        if (!request.hasBody()) throw MatrixException.notJson("Request body is missing");
        ObjectNode body = request.jsonObject();
        JsonNode delayNode = body.has("delay_ms") ? body.get("delay_ms") : body.get("delay");
        if (delayNode == null) throw MatrixException.invalidParam("'delay_ms' is missing");
        if (!delayNode.isIntegralNumber() || !delayNode.canConvertToLong()) throw MatrixException.invalidParam("'delay_ms' must be an integer");
        long delay = delayNode.longValue();
        if (delay <= 0) throw MatrixException.invalidParam("'delay_ms' must be a positive, non-zero integer");
        JsonNode stateKey = body.get("state_key");
        if (stateKey != null && !stateKey.isTextual()) throw MatrixException.badJson("'state_key' must be a string");
        if (!(body.get("content") instanceof ObjectNode content)) throw MatrixException.badJson("'content' must be a JSON object");
        Requester requester = request.requester();
        EventDraft draft = new EventDraft(roomId, requester.userId(), requester.deviceId(), request.path("txnId"), request.path("type"),
                stateKey == null ? null : stateKey.textValue(), content, Json.object());
        return ApiResponse.ok(Json.object().put("delay_id", service.schedule(draft, delay)));
    }

    private ApiResponse list(ApiRequest request) {
        ObjectNode body = Json.object();
        ArrayNode items = body.putArray("delayed_events");
        for (DelayedEvent event : service.scheduled(request.requester().userId())) items.add(render(event));
        return ApiResponse.ok(body);
    }

    private ApiResponse get(ApiRequest request) {
        String delayId = request.path("delayId");
        if (delayId.isEmpty()) throw MatrixException.unrecognized(404, "Unrecognized request");
        return ApiResponse.ok(render(service.get(delayId, request.requester().userId())));
    }

    private ApiResponse actionInPath(ApiRequest request) {
        String action = request.path("action");
        if (!ACTIONS.contains(action)) throw MatrixException.unrecognized(404, "Unrecognized request: unknown action '" + action + "'");
        return act(request, action);
    }

    private ApiResponse actionInBody(ApiRequest request) {
        if (request.path("delayId").isEmpty()) throw MatrixException.unrecognized(404, "Unrecognized request");
        if (!request.hasBody()) throw MatrixException.notJson("Request body is missing");
        JsonNode action = request.jsonObject().get("action");
        if (action == null) throw MatrixException.missingParam("'action' is missing");
        if (!action.isTextual() || !ACTIONS.contains(action.textValue())) {
            throw MatrixException.invalidParam("'action' is not one of 'cancel', 'restart', 'send'");
        }
        return act(request, action.textValue());
    }

    private ApiResponse act(ApiRequest request, String action) {
        String delayId = request.path("delayId");
        if (delayId.isEmpty()) throw MatrixException.unrecognized(404, "Unrecognized request");
        Requester caller = request.optionalRequester();
        switch (action) {
            case "restart" -> {
                if (!restarts.restart(delayId, caller == null ? null : caller.userId())) throw DelayedEventService.notFound();
            }
            case "cancel" -> service.cancel(delayId, caller);
            case "send" -> service.sendNow(delayId, caller);
            default -> throw new IllegalStateException(action);
        }
        return ApiResponse.empty();
    }

    static ObjectNode render(DelayedEvent event) {
        ObjectNode out = Json.object();
        out.put("delay_id", event.delayId());
        out.put("room_id", event.roomId());
        out.put("type", event.type());
        if (event.stateKey() != null) out.put("state_key", event.stateKey());
        out.put("delay_ms", event.delayMs());
        out.put("scheduled_at", event.scheduledAt());
        out.put("delay", event.delayMs());
        out.put("running_since", event.scheduledAt());
        out.set("content", event.content());
        if (event.finalisedTs() != null) out.put("finalised_ts", event.finalisedTs());
        if (event.eventId() != null) out.put("event_id", event.eventId());
        if (event.error() != null) out.set("error", event.error());
        return out;
    }
}
