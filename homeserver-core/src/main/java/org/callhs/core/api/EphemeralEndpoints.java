package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.account.AccountDataService;
import org.callhs.core.auth.Requester;
import org.callhs.core.ephemeral.ReceiptService;
import org.callhs.core.ephemeral.TypingService;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.RoomReader;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Typing, receipts and read markers.
 *
 * <ul>
 * <li>{@code PUT /rooms/{roomId}/typing/{userId}} ("Typing Notifications"): {@code typing}
 *     (boolean, required) and {@code timeout} (ms, capped at two minutes); only for oneself,
 *     only in joined rooms.
 * <li>{@code POST /rooms/{roomId}/receipt/{receiptType}/{eventId}} ("Receipts"):
 *     {@code m.read}, {@code m.read.private} (optionally threaded with {@code thread_id}) and
 *     {@code m.fully_read} (sets the read marker; no {@code thread_id}).
 * <li>{@code POST /rooms/{roomId}/read_markers} ("Fully read markers"): {@code m.fully_read}
 *     into room account data, {@code m.read} / {@code m.read.private} as receipts.
 * </ul>
 */
public final class EphemeralEndpoints implements Routes {
    private final TypingService typing;
    private final ReceiptService receipts;
    private final AccountDataService accountData;
    private final RoomReader reader;

    private final org.callhs.core.ephemeral.RoomEduRelay relay;

    public EphemeralEndpoints(TypingService typing, ReceiptService receipts, AccountDataService accountData, RoomReader reader,
                              org.callhs.core.ephemeral.RoomEduRelay relay) {
        this.relay = relay;
        this.typing = typing;
        this.receipts = receipts;
        this.accountData = accountData;
        this.reader = reader;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "PUT", "/rooms/{roomId}/typing/{userId}", AuthKind.USER, null, this::typing));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/receipt/{receiptType}/{eventId}",
                AuthKind.USER_OR_GUEST, null, this::receipt));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/read_markers", AuthKind.USER_OR_GUEST, null,
                this::readMarkers));
        return list;
    }

    private ApiResponse typing(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String userId = request.path("userId");
        Bodies.requireSelf(request.requester(), userId, "set typing");
        ObjectNode body = request.jsonObject();
        JsonNode typingNode = body.get("typing");
        if (typingNode == null) throw MatrixException.missingParam("Missing typing");
        if (!typingNode.isBoolean()) throw MatrixException.badJson("typing must be a boolean");
        JsonNode timeoutNode = body.get("timeout");
        if (timeoutNode != null && !(timeoutNode.isIntegralNumber() && timeoutNode.canConvertToLong() && timeoutNode.longValue() >= 0)) {
            throw MatrixException.badJson("timeout must be a non-negative integer");
        }
        if (!reader.access(roomId, userId).joined()) throw MatrixException.forbidden("You are not joined to this room");
        if (typingNode.booleanValue()) {
            typing.started(roomId, userId, timeoutNode == null ? 30_000 : timeoutNode.longValue());
        } else {
            typing.stopped(roomId, userId);
        }
        relay.localTyping(roomId, userId, typingNode.booleanValue());
        return ApiResponse.empty();
    }

    private ApiResponse receipt(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String type = request.path("receiptType");
        String eventId = request.path("eventId");
        ObjectNode body = request.jsonObject();
        JsonNode threadNode = body.get("thread_id");
        if (threadNode != null && !(threadNode.isTextual() && !threadNode.textValue().isEmpty())) {
            throw MatrixException.invalidParam("thread_id must be a non-empty string");
        }
        String threadId = threadNode == null ? null : threadNode.textValue();
        Requester requester = request.requester();
        switch (type) {
            case ReceiptService.READ, ReceiptService.READ_PRIVATE -> {
                receipts.receipt(roomId, requester.userId(), type, eventId, threadId);
                relay.localReceipt(roomId, requester.userId(), type, eventId, threadId, System.currentTimeMillis());
            }
            case "m.fully_read" -> {
                if (threadId != null) throw MatrixException.invalidParam("m.fully_read receipts cannot be threaded");
                fullyRead(roomId, requester.userId(), eventId);
            }
            default -> throw MatrixException.invalidParam("Receipt type must be m.read, m.read.private or m.fully_read");
        }
        return ApiResponse.empty();
    }

    private ApiResponse readMarkers(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        ObjectNode body = request.requiredJsonObject();
        String userId = request.requester().userId();
        String fullyRead = eventId(body, "m.fully_read");
        String read = eventId(body, "m.read");
        String readPrivate = eventId(body, "m.read.private");
        if (fullyRead != null) fullyRead(roomId, userId, fullyRead);
        if (read != null) {
            receipts.receipt(roomId, userId, ReceiptService.READ, read, null);
            relay.localReceipt(roomId, userId, ReceiptService.READ, read, null, System.currentTimeMillis());
        }
        if (readPrivate != null) receipts.receipt(roomId, userId, ReceiptService.READ_PRIVATE, readPrivate, null);
        return ApiResponse.empty();
    }

    private static String eventId(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual() || !node.textValue().startsWith("$")) throw MatrixException.badJson(field + " must be an event ID");
        return node.textValue();
    }

    private void fullyRead(String roomId, String userId, String eventId) {
        if (!reader.access(roomId, userId).joined()) throw MatrixException.forbidden("You are not joined to this room");
        reader.event(eventId).filter(e -> e.roomId().equals(roomId))
                .orElseThrow(() -> MatrixException.notFound("Unknown event " + eventId + " in this room"));
        accountData.put(userId, roomId, "m.fully_read", Json.write(Json.object().put("event_id", eventId)));
    }
}
