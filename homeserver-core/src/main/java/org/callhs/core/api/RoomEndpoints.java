package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.RoomWriter;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.spi.DraftDecorator;
import org.callhs.core.spi.Routes;
import org.callhs.core.spi.SendInterceptor;
import org.callhs.core.util.Json;

/**
 * Sending and reading room events (Client-Server API "Room events").
 *
 * <ul>
 * <li>{@code PUT /rooms/{roomId}/send/{eventType}/{txnId}}: idempotent per (device,
 *     transaction ID): the same request again returns the same {@code event_id}.
 * <li>{@code POST /rooms/{roomId}/send/{eventType}}: as Synapse serves it (no transaction ID, so
 *     not idempotent); MatrixRTC clients schedule delayed events this way too.
 * <li>{@code PUT /rooms/{roomId}/state/{eventType}/{stateKey}} (and without a state key for
 *     the empty key); setting what the same sender already set answers the existing event's ID
 *     and creates no event (as Synapse).
 * <li>{@code GET /rooms/{roomId}/state}, {@code GET /rooms/{roomId}/state/{eventType}/{stateKey}}:
 *     the current state for members; for former members, the state when they left.
 * <li>{@code GET /rooms/{roomId}/event/{eventId}}: when history visibility lets the caller see
 *     it (404 otherwise, as Synapse).
 * <li>{@code GET /joined_rooms}.
 * </ul>
 * Sends pass through the modules' draft decorators, then their send interceptors (which may
 * take the send over, as delayed events do), then the room writer.
 */
public final class RoomEndpoints implements Routes {
    private final RoomWriter writer;
    private final RoomReader reader;
    private final ClientEvents clientEvents;
    private final List<DraftDecorator> decorators;
    private final List<SendInterceptor> interceptors;
    private final HistoryVisibility visibility;

    private final org.callhs.core.room.CanonicalAliasCheck canonicalAliases;

    private final org.callhs.core.room.BlockedRooms blocked;

    public RoomEndpoints(RoomWriter writer, RoomReader reader, ClientEvents clientEvents, List<DraftDecorator> decorators,
                         List<SendInterceptor> interceptors, HistoryVisibility visibility,
                         org.callhs.core.room.CanonicalAliasCheck canonicalAliases, org.callhs.core.room.BlockedRooms blocked) {
        this.blocked = blocked;
        this.canonicalAliases = canonicalAliases;
        this.writer = writer;
        this.reader = reader;
        this.clientEvents = clientEvents;
        this.decorators = decorators;
        this.interceptors = interceptors;
        this.visibility = visibility;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/rooms/{roomId}/send/{type}/{txnId}", AuthKind.USER_OR_GUEST,
                "message", this::send));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/send/{type}", AuthKind.USER_OR_GUEST,
                "message", r -> dispatch(r, r.path("type"), null)));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/rooms/{roomId}/state/{type}/{stateKey}", AuthKind.USER_OR_GUEST,
                "message", r -> putState(r, r.path("stateKey"))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/rooms/{roomId}/state/{type}", AuthKind.USER_OR_GUEST,
                "message", r -> putState(r, "")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/state", AuthKind.USER_OR_GUEST, null, this::getAllState));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/state/{type}/{stateKey}", AuthKind.USER_OR_GUEST, null,
                r -> getState(r, r.path("stateKey"))));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/state/{type}", AuthKind.USER_OR_GUEST, null,
                r -> getState(r, "")));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/rooms/{roomId}/event/{eventId}", AuthKind.USER_OR_GUEST, null,
                this::getEvent));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/joined_rooms", AuthKind.USER, null, this::joinedRooms));
        return list;
    }

    /** The {@code roomId} path parameter, checked for shape (400 {@code M_INVALID_PARAM}). */
    public static String roomId(ApiRequest request) {
        String roomId = request.path("roomId");
        if (!roomId.startsWith("!") || roomId.length() < 2 || roomId.length() > 255) {
            throw MatrixException.invalidParam("Invalid room ID " + roomId);
        }
        return roomId;
    }

    private ApiResponse send(ApiRequest request) {
        return dispatch(request, request.path("type"), null);
    }

    private ApiResponse putState(ApiRequest request, String stateKey) {
        return dispatch(request, request.path("type"), stateKey);
    }

    private ApiResponse dispatch(ApiRequest request, String type, String stateKey) {
        Requester requester = request.requester();
        ObjectNode content = request.jsonObject();
        String txnId = stateKey == null && "PUT".equals(request.method()) ? request.path("txnId") : null;
        EventDraft draft = new EventDraft(roomId(request), requester.userId(), requester.deviceId(), txnId, type, stateKey,
                content, Json.object());
        for (DraftDecorator decorator : decorators) draft = decorator.decorate(draft, request);
        for (SendInterceptor interceptor : interceptors) {
            Optional<ApiResponse> taken = interceptor.intercept(draft, request);
            if (taken.isPresent()) return taken.get();
        }
        if (draft.type().equals("m.room.member")) {
            blocked.requireMembershipAllowed(draft.roomId(), draft.content().path("membership").asText());
        }
        canonicalAliases.check(draft);
        Optional<PersistedEvent> same = unchangedState(draft);
        if (same.isPresent()) return ApiResponse.ok(Json.object().put("event_id", same.get().eventId()));
        PersistedEvent event = writer.send(draft);
        return ApiResponse.ok(Json.object().put("event_id", event.eventId()));
    }

    /**
     * A state event the same sender already set with the same content (no module decoration):
     * sending it again changes nothing, so its event ID is answered and no event is created, as
     * Synapse does. Membership goes through its own endpoints.
     */
    private Optional<PersistedEvent> unchangedState(EventDraft draft) {
        if (draft.stateKey() == null || !draft.extraKeys().isEmpty() || draft.type().equals("m.room.member")) return Optional.empty();
        return reader.stateEvent(reader.currentState(draft.roomId()), draft.type(), draft.stateKey())
                .filter(e -> e.sender().equals(draft.sender()) && e.pdu().path("content").equals(draft.content()));
    }

    private ApiResponse getAllState(ApiRequest request) {
        Map<StateKey, String> state = reader.readableState(roomId(request), request.requester().userId());
        ArrayNode out = Json.array();
        for (PersistedEvent event : reader.events(List.copyOf(state.values()))) out.add(clientEvents.render(event, request.requester()));
        return ApiResponse.of(200, out);
    }

    private ApiResponse getState(ApiRequest request, String stateKey) {
        Map<StateKey, String> state = reader.readableState(roomId(request), request.requester().userId());
        PersistedEvent event = reader.stateEvent(state, request.path("type"), stateKey)
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        if ("event".equals(request.query("format").orElse("content"))) return ApiResponse.ok(clientEvents.render(event, request.requester()));
        JsonNode rendered = clientEvents.render(event, request.requester()).get("content");
        return ApiResponse.ok(rendered);
    }

    private ApiResponse getEvent(ApiRequest request) {
        String roomId = roomId(request);
        String userId = request.requester().userId();
        boolean joined = reader.access(roomId, userId).joined();
        PersistedEvent event = reader.event(request.path("eventId")).filter(e -> e.roomId().equals(roomId))
                .filter(e -> visibility.visible(e, userId, joined))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        return ApiResponse.ok(clientEvents.render(event, request.requester()));
    }

    private ApiResponse joinedRooms(ApiRequest request) {
        ObjectNode body = Json.object();
        ArrayNode rooms = body.putArray("joined_rooms");
        reader.roomsWithMembership(request.requester().userId(), "join").forEach(rooms::add);
        return ApiResponse.ok(body);
    }
}
