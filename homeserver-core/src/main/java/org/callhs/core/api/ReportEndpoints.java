package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.room.HistoryVisibility;
import org.callhs.core.room.RoomReader;
import org.callhs.core.spi.Routes;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.ContentReportRepository;

/**
 * Reporting content to the server's administrators (Client-Server API "Reporting content").
 *
 * <ul>
 * <li>{@code POST /rooms/{roomId}/report/{eventId}}: {@code reason} (optional string) and
 *     {@code score} (optional integer from -100, most offensive, to 0); 404 {@code M_NOT_FOUND}
 *     when the event is not in the room or the reporter may not see it (so a report reveals
 *     nothing), 400 {@code M_BAD_JSON} for a wrong type or a score out of range.
 * <li>{@code POST /rooms/{roomId}/report} (spec v1.13): {@code reason} (optional string); 404
 *     for an unknown room.
 * </ul>
 * Reports are stored in {@code content_reports} (reporter, room, event, reason, score, time)
 * for the administrators; they count against the reporter's message rate limit.
 * Spec: <a href="https://spec.matrix.org/v1.16/client-server-api/#reporting-content">Reporting content</a>.
 */
public final class ReportEndpoints implements Routes {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Database database;
    private final ContentReportRepository reports;
    private final RoomReader reader;
    private final HistoryVisibility visibility;
    private final Clock clock;

    public ReportEndpoints(Database database, ContentReportRepository reports, RoomReader reader, HistoryVisibility visibility,
                           Clock clock) {
        this.database = database;
        this.reports = reports;
        this.reader = reader;
        this.visibility = visibility;
        this.clock = clock;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "POST", "/rooms/{roomId}/report/{eventId}", AuthKind.USER, "message",
                this::reportEvent));
        list.addAll(Endpoint.under(Endpoint.CLIENT_V3, "POST", "/rooms/{roomId}/report", AuthKind.USER, "message", this::reportRoom));
        return list;
    }

    private ApiResponse reportEvent(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String userId = request.requester().userId();
        ObjectNode body = request.jsonObject();
        String reason = Bodies.optionalString(body, "reason");
        Long score = score(body);
        boolean joined;
        try {
            joined = reader.access(roomId, userId).joined();
        } catch (MatrixException notAllowed) {
            throw MatrixException.notFound("Event not found"); // a report must not tell who is in which room
        }
        reader.event(request.path("eventId")).filter(e -> e.roomId().equals(roomId)).filter(e -> visibility.visible(e, userId, joined))
                .orElseThrow(() -> MatrixException.notFound("Event not found"));
        store(userId, roomId, request.path("eventId"), reason, score);
        return ApiResponse.empty();
    }

    private ApiResponse reportRoom(ApiRequest request) {
        String roomId = RoomEndpoints.roomId(request);
        String reason = Bodies.optionalString(request.jsonObject(), "reason");
        if (reader.room(roomId).isEmpty()) throw MatrixException.notFound("Room not found");
        store(request.requester().userId(), roomId, null, reason, null);
        return ApiResponse.empty();
    }

    private static Long score(ObjectNode body) {
        JsonNode score = body.get("score");
        if (score == null || score.isNull()) return null;
        if (!score.isIntegralNumber() || score.asLong() < -100 || score.asLong() > 0) {
            throw MatrixException.badJson("score must be an integer from -100 to 0");
        }
        return score.asLong();
    }

    private void store(String reporter, String roomId, String eventId, String reason, Long score) {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        database.transaction(tx -> {
            reports.insert(tx, HexFormat.of().formatHex(id), reporter, roomId, eventId, reason, score, clock.millis());
            return null;
        });
    }
}
