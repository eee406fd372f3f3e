package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.auth.Requester;
import org.callhs.core.ephemeral.ReceiptService;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.push.PushRuleEvaluator;
import org.callhs.core.push.PushUnreadCounter;
import org.callhs.core.room.ClientEvents;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.room.RoomReader;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * {@code GET /notifications}
 * (<a href="https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3notifications">spec</a>):
 * the events of the rooms the user is joined to that their push rules make notify, newest
 * first, each with the rule's {@code actions}, {@code read} (whether their receipts reach it, in
 * its thread), {@code room_id} and {@code ts}; {@code only=highlight} keeps the highlights;
 * {@code limit} (default 20, at most 100) and {@code from} ({@code next_token}). Evaluated when
 * asked against each room's current state, as the unread counts are (nothing is stored per
 * event and member); one request looks at most {@value #MAX_SCANNED} events, and when it stops
 * there its {@code next_token} carries on from where it stopped. Events from before the user
 * joined, their own and redacted ones never notify.
 */
public final class NotificationsEndpoint implements Routes {
    static final int MAX_SCANNED = 5000;
    private static final int BATCH = 200;
    private final RoomReader reader;
    private final PushUnreadCounter push;
    private final ReceiptService receipts;
    private final ClientEvents clientEvents;

    public NotificationsEndpoint(RoomReader reader, PushUnreadCounter push, ReceiptService receipts, ClientEvents clientEvents) {
        this.reader = reader;
        this.push = push;
        this.receipts = receipts;
        this.clientEvents = clientEvents;
    }

    @Override
    public List<Endpoint> endpoints() {
        return Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/notifications", AuthKind.USER, null, this::notifications);
    }

    private ApiResponse notifications(ApiRequest request) {
        Requester requester = request.requester();
        String userId = requester.userId();
        int limit = Math.min(QueryParams.atLeast(request, "limit", 1, 20), 100);
        String only = request.query("only").orElse(null);
        if (only != null && !only.equals("highlight")) throw MatrixException.invalidParam("only must be highlight");
        long before = Long.MAX_VALUE;
        if (request.query("from").isPresent()) {
            String token = request.query("from").get();
            try {
                if (!token.startsWith("n")) throw new NumberFormatException();
                before = Long.parseLong(token.substring(1));
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam("Invalid from token");
            }
        }
        List<String> rooms = reader.joinedRooms(userId);
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("notifications");
        Map<String, ReceiptService.ReadMarks> marks = new HashMap<>();
        int scanned = 0;
        int found = 0;
        long cursor = before;
        boolean more = !rooms.isEmpty();
        while (found < limit && more && scanned < MAX_SCANNED) {
            List<PersistedEvent> page = reader.backwardsAcross(rooms, cursor, BATCH);
            more = page.size() == BATCH;
            for (PersistedEvent event : page) {
                cursor = event.streamOrdering();
                scanned++;
                PushRuleEvaluator.Outcome outcome = push.outcome(userId, event).orElse(null);
                if (outcome == null || !outcome.notifies() || (only != null && !outcome.highlight())) continue;
                if (!"join".equals(reader.membershipAt(event, userId))) continue;
                ReceiptService.ReadMarks read = marks.computeIfAbsent(event.roomId(), room -> receipts.readMarks(room, userId));
                ObjectNode entry = list.addObject();
                entry.set("actions", outcome.actions());
                entry.set("event", clientEvents.render(event, requester));
                entry.put("read", event.streamOrdering() <= read.readUpTo(push.threadOf(event)));
                entry.put("room_id", event.roomId());
                entry.put("ts", event.originServerTs());
                if (++found == limit) {
                    more = more || page.indexOf(event) < page.size() - 1;
                    break;
                }
            }
        }
        if (more) body.put("next_token", "n" + cursor);
        return ApiResponse.ok(body);
    }
}
