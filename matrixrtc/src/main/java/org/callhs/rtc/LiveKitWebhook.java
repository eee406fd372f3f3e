package org.callhs.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.util.Json;

/**
 * {@code POST {service}/sfu_webhook}: LiveKit's webhook (its {@code webhook.urls} entry, with
 * {@code webhook.api_key} the key this server knows). The body is checked against the JWT in
 * {@code Authorization} ({@link LiveKitTokens#webhookSigned}), then participants' comings and
 * goings reach {@link DelegatedLeaves}: {@code participant_joined}; {@code participant_left}
 * (a leave the client chose when its {@code disconnectReason} is {@code CLIENT_INITIATED}, a
 * lost connection otherwise) and {@code participant_connection_aborted}; {@code room_finished}
 * makes {@link KnownRooms} forget the room. Other events are acknowledged and ignored. Errors: 401 {@code M_UNAUTHORIZED} for a missing or bad signature,
 * 400 {@code M_NOT_JSON} / {@code M_BAD_JSON} for a body that is not a LiveKit event.
 * See https://docs.livekit.io/home/server/webhooks/
 */
final class LiveKitWebhook {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LiveKitWebhook.class);

    private final LiveKitTokens tokens;
    private final DelegatedLeaves leaves;
    private final KnownRooms rooms;

    LiveKitWebhook(LiveKitTokens tokens, DelegatedLeaves leaves, KnownRooms rooms) {
        this.tokens = tokens;
        this.leaves = leaves;
        this.rooms = rooms;
    }

    ApiResponse receive(ApiRequest request) {
        byte[] body = request.rawBody();
        if (!tokens.webhookSigned(request.header("Authorization"), body)) {
            log.warn("LiveKit webhook from {} refused: missing or bad signature", request.remoteAddress());
            throw new MatrixException(ErrCode.UNAUTHORIZED, 401, "The webhook is not signed with this server's LiveKit key");
        }
        JsonNode event;
        try {
            event = Json.parse(body);
        } catch (IOException e) {
            throw MatrixException.notJson("The webhook body is not JSON");
        }
        if (!event.isObject() || !event.path("event").isTextual()) throw MatrixException.badJson("The webhook body is not a LiveKit event");
        String type = event.get("event").textValue();
        if (type.equals("room_finished") && event.path("room").path("name").isTextual()) rooms.finished(event.path("room").path("name").textValue());
        if (!type.startsWith("participant_")) return ApiResponse.empty();
        String room = event.path("room").path("name").asText("");
        String identity = event.path("participant").path("identity").asText("");
        if (room.isEmpty() || identity.isEmpty()) throw MatrixException.badJson("The participant event names no room or participant");
        switch (type) {
            case "participant_joined" -> leaves.joined(room, identity);
            case "participant_left" -> leaves.left(room, identity,
                    !"CLIENT_INITIATED".equals(event.path("participant").path("disconnectReason").asText("")));
            case "participant_connection_aborted" -> leaves.left(room, identity, true);
            default -> { }
        }
        return ApiResponse.empty();
    }
}
