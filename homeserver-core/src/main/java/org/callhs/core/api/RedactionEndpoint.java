package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.room.RoomWriter;
import org.callhs.core.room.auth.AuthRules;
import org.callhs.core.room.auth.StateKey;
import org.callhs.core.room.auth.StateView;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * {@code PUT /rooms/{roomId}/redact/{eventId}/{txnId}} (Client-Server API "Redactions"):
 * sends an {@code m.room.redaction} ({@code redacts} in content from v11, top level before),
 * idempotent per transaction ID. Allowed for the original sender, or with the room's
 * {@code redact} level; the target is then served redacted to everyone.
 */
public final class RedactionEndpoint implements Routes {
    private final RoomWriter writer;
    private final RoomReader reader;

    public RedactionEndpoint(RoomWriter writer, RoomReader reader) {
        this.writer = writer;
        this.reader = reader;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/rooms/{roomId}/redact/{eventId}/{txnId}", AuthKind.USER, "message",
                this::redact);
    }

    private ApiResponse redact(ApiRequest request) {
        Requester requester = request.requester();
        String roomId = RoomEndpoints.roomId(request);
        String targetId = request.path("eventId");
        ObjectNode body = request.jsonObject();
        String reason = Bodies.optionalString(body, "reason");
        PersistedEvent target = reader.event(targetId).filter(e -> e.roomId().equals(roomId))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        Map<StateKey, String> state = reader.currentState(roomId);
        if (!target.sender().equals(requester.userId())) {
            StateView view = key -> reader.stateEvent(state, key.type(), key.stateKey()).map(e -> (com.fasterxml.jackson.databind.JsonNode) e.pdu());
            long level = AuthRules.powerLevel(requester.userId(), view, target.version());
            long needed = view.get(StateKey.of("m.room.power_levels", "")).map(pl -> pl.path("content").path("redact").asLong(50)).orElse(50L);
            if (level < needed) throw MatrixException.forbidden("You may only redact your own events");
        }
        ObjectNode content = Json.object();
        if (reason != null) content.put("reason", reason);
        ObjectNode extra = Json.object();
        if (target.version().redactsInContent()) content.put("redacts", targetId);
        else extra.put("redacts", targetId);
        PersistedEvent redaction = writer.send(new EventDraft(roomId, requester.userId(), requester.deviceId(), request.path("txnId"),
                "m.room.redaction", null, content, extra));
        return ApiResponse.ok(Json.object().put("event_id", redaction.eventId()));
    }
}
