package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.FederatedRooms;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * The Server-Server endpoints about rooms, answered from core ({@link FederatedRooms}):
 * <ul>
 * <li><a href="https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1eventeventid">GET /event</a>,
 *     <a href="https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1state_idsroomid">GET /state_ids</a>,
 *     <a href="https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1stateroomid">GET /state</a>,
 *     <a href="https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1event_authroomideventid">GET /event_auth</a>,
 *     <a href="https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid">POST /get_missing_events</a>,
 *     <a href="https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid">GET /backfill</a>;</li>
 * <li><a href="https://spec.matrix.org/v1.16/server-server-api/#joining-rooms">make_join, send_join</a> (v1 and v2),
 *     <a href="https://spec.matrix.org/v1.16/server-server-api/#leaving-rooms-rejecting-invites">make_leave, send_leave</a> (v1 and v2).</li>
 * </ul>
 * After a send_join or send_leave the event goes to the other servers in the room (the joining
 * server got it already).
 */
final class RoomEndpoints implements Routes {
    private static final String P = "/_matrix/federation";

    private final String ourName;
    private final Supplier<FederatedRooms> rooms;
    private final OutboundPdus outbound;
    private final Clock clock;

    RoomEndpoints(String ourName, Supplier<FederatedRooms> rooms, OutboundPdus outbound, Clock clock) {
        this.ourName = ourName;
        this.rooms = rooms;
        this.outbound = outbound;
        this.clock = clock;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", P + "/v1/event/{eventId}", AuthKind.SERVER, null, this::event),
                new Endpoint("GET", P + "/v1/state_ids/{roomId}", AuthKind.SERVER, null, r -> stateAt(r, true)),
                new Endpoint("GET", P + "/v1/state/{roomId}", AuthKind.SERVER, null, r -> stateAt(r, false)),
                new Endpoint("GET", P + "/v1/event_auth/{roomId}/{eventId}", AuthKind.SERVER, null, this::eventAuth),
                new Endpoint("POST", P + "/v1/get_missing_events/{roomId}", AuthKind.SERVER, null, this::missingEvents),
                new Endpoint("GET", P + "/v1/backfill/{roomId}", AuthKind.SERVER, null, this::backfill),
                new Endpoint("GET", P + "/v1/timestamp_to_event/{roomId}", AuthKind.SERVER, null, this::timestampToEvent),
                new Endpoint("GET", P + "/v1/publicRooms", AuthKind.SERVER, null, this::publicRooms),
                new Endpoint("POST", P + "/v1/publicRooms", AuthKind.SERVER, null, this::publicRooms),
                new Endpoint("GET", P + "/v1/make_join/{roomId}/{userId}", AuthKind.SERVER, null, r -> make(r, "join")),
                new Endpoint("PUT", P + "/v1/send_join/{roomId}/{eventId}", AuthKind.SERVER, null, r -> send(r, "join", true)),
                new Endpoint("PUT", P + "/v2/send_join/{roomId}/{eventId}", AuthKind.SERVER, null, r -> send(r, "join", false)),
                new Endpoint("GET", P + "/v1/make_leave/{roomId}/{userId}", AuthKind.SERVER, null, r -> make(r, "leave")),
                new Endpoint("PUT", P + "/v1/send_leave/{roomId}/{eventId}", AuthKind.SERVER, null, r -> send(r, "leave", true)),
                new Endpoint("PUT", P + "/v2/send_leave/{roomId}/{eventId}", AuthKind.SERVER, null, r -> send(r, "leave", false)),
                new Endpoint("GET", P + "/v1/make_knock/{roomId}/{userId}", AuthKind.SERVER, null, r -> make(r, "knock")),
                new Endpoint("PUT", P + "/v1/send_knock/{roomId}/{eventId}", AuthKind.SERVER, null, r -> send(r, "knock", false)),
                new Endpoint("PUT", P + "/v1/invite/{roomId}/{eventId}", AuthKind.SERVER, null, r -> invite(r, true)),
                new Endpoint("PUT", P + "/v2/invite/{roomId}/{eventId}", AuthKind.SERVER, null, r -> invite(r, false)));
    }

    private String origin(ApiRequest request) {
        return request.requester().origin();
    }

    private ObjectNode pdusAnswer(List<? extends JsonNode> pdus) {
        ObjectNode answer = Json.object();
        answer.put("origin", ourName);
        answer.put("origin_server_ts", clock.millis());
        ArrayNode array = answer.putArray("pdus");
        pdus.forEach(array::add);
        return answer;
    }

    private ApiResponse event(ApiRequest request) {
        return ApiResponse.ok(pdusAnswer(List.of(rooms.get().event(origin(request), request.path("eventId")))));
    }

    private ApiResponse stateAt(ApiRequest request, boolean idsOnly) {
        String eventId = request.query("event_id").orElseThrow(() -> MatrixException.missingParam("event_id is required"));
        String roomId = request.path("roomId");
        return ApiResponse.ok(idsOnly ? rooms.get().stateIds(origin(request), roomId, eventId)
                : rooms.get().state(origin(request), roomId, eventId));
    }

    private ApiResponse eventAuth(ApiRequest request) {
        ObjectNode answer = Json.object();
        ArrayNode chain = answer.putArray("auth_chain");
        rooms.get().eventAuth(origin(request), request.path("roomId"), request.path("eventId")).forEach(chain::add);
        return ApiResponse.ok(answer);
    }

    private ApiResponse missingEvents(ApiRequest request) {
        ObjectNode body = request.requiredJsonObject();
        List<String> earliest = eventIds(body.get("earliest_events"), "earliest_events");
        List<String> latest = eventIds(body.get("latest_events"), "latest_events");
        JsonNode limit = body.get("limit");
        if (limit != null && !limit.isIntegralNumber()) throw MatrixException.badJson("limit must be an integer");
        JsonNode minDepth = body.get("min_depth");
        if (minDepth != null && !minDepth.isIntegralNumber()) throw MatrixException.badJson("min_depth must be an integer");
        List<ObjectNode> events = rooms.get().missingEvents(origin(request), request.path("roomId"), earliest, latest,
                limit == null ? 10 : limit.intValue(), minDepth == null ? 0 : minDepth.longValue());
        ObjectNode answer = Json.object();
        ArrayNode array = answer.putArray("events");
        events.forEach(array::add);
        return ApiResponse.ok(answer);
    }

    private static List<String> eventIds(JsonNode node, String field) {
        if (node == null || !node.isArray()) throw MatrixException.badJson(field + " must be an array of event IDs");
        List<String> ids = new ArrayList<>();
        for (JsonNode id : node) {
            if (!id.isTextual()) throw MatrixException.badJson(field + " must be an array of event IDs");
            ids.add(id.textValue());
        }
        return ids;
    }

    private ApiResponse backfill(ApiRequest request) {
        List<String> from = request.queryAll("v");
        if (from.isEmpty()) throw MatrixException.missingParam("v is required");
        int limit;
        try {
            limit = Integer.parseInt(request.query("limit").orElseThrow(() -> MatrixException.missingParam("limit is required")));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("limit must be an integer");
        }
        if (limit < 0) throw MatrixException.invalidParam("limit must not be negative");
        return ApiResponse.ok(pdusAnswer(rooms.get().backfill(origin(request), request.path("roomId"), from, limit)));
    }

    /** {@code GET/POST /publicRooms}: {@code limit}, {@code since} and (POST) {@code filter.generic_search_term}. */
    private ApiResponse publicRooms(ApiRequest request) {
        ObjectNode body = request.method().equals("POST") ? request.requiredJsonObject() : Json.object();
        int limit = 100;
        String limitText = request.query("limit").orElse(null);
        try {
            if (limitText != null) limit = Integer.parseInt(limitText);
            else if (body.has("limit")) {
                if (!body.get("limit").isIntegralNumber()) throw MatrixException.badJson("limit must be an integer");
                limit = body.get("limit").intValue();
            }
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("limit must be an integer");
        }
        if (limit < 0) throw MatrixException.invalidParam("limit must not be negative");
        String since = request.query("since").orElse(body.path("since").isTextual() ? body.get("since").textValue() : null);
        String term = body.path("filter").path("generic_search_term").asText("");
        return ApiResponse.ok(rooms.get().publicRooms(Math.min(limit, 500), since, term));
    }

    private ApiResponse timestampToEvent(ApiRequest request) {
        long ts;
        try {
            ts = Long.parseLong(request.query("ts").orElseThrow(() -> MatrixException.missingParam("ts is required")));
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("ts must be an integer");
        }
        String dir = request.query("dir").orElseThrow(() -> MatrixException.missingParam("dir is required"));
        if (!dir.equals("f") && !dir.equals("b")) throw MatrixException.invalidParam("dir must be f or b");
        return ApiResponse.ok(rooms.get().timestampToEvent(origin(request), request.path("roomId"), ts, dir.equals("f")));
    }

    private ApiResponse make(ApiRequest request, String membership) {
        List<String> versions = null;
        if (membership.equals("join") || membership.equals("knock")) {
            versions = request.queryAll("ver");
            if (versions.isEmpty()) versions = List.of("1"); // a missing ver means version 1 only (spec)
        }
        return ApiResponse.ok(rooms.get().makeMembership(origin(request), request.path("roomId"), request.path("userId"), membership,
                versions));
    }

    /** {@code /v2/invite}: {@code {room_version, event, invite_room_state}}; {@code /v1}: the event itself (version 1, refused). */
    private ApiResponse invite(ApiRequest request, boolean v1) {
        ObjectNode body = request.requiredJsonObject();
        ObjectNode answer;
        if (v1) {
            answer = rooms.get().invite(origin(request), request.path("roomId"), request.path("eventId"), null, body,
                    body.path("unsigned").path("invite_room_state"));
            ArrayNode legacy = Json.array();
            legacy.add(200);
            legacy.add(answer);
            return ApiResponse.ok(legacy);
        }
        JsonNode version = body.get("room_version");
        if (version == null || !version.isTextual()) throw MatrixException.badJson("room_version must be a string");
        answer = rooms.get().invite(origin(request), request.path("roomId"), request.path("eventId"), version.textValue(),
                body.get("event"), body.get("invite_room_state"));
        return ApiResponse.ok(answer);
    }

    private ApiResponse send(ApiRequest request, String membership, boolean v1) {
        String origin = origin(request);
        FederatedRooms.MembershipAccepted accepted = rooms.get().sendMembership(origin, request.path("roomId"), request.path("eventId"),
                request.requiredJsonObject(), membership);
        Set<String> others = new HashSet<>(accepted.serversInRoom());
        others.remove(origin);
        others.remove(ourName);
        if (accepted.event() != null) outbound.send(request.path("roomId"), accepted.event(), others);
        JsonNode answer = membership.equals("leave") ? Json.object() : accepted.answer();
        if (!v1) return ApiResponse.ok(answer);
        ArrayNode legacy = Json.array();
        legacy.add(200);
        legacy.add(answer);
        return ApiResponse.ok(legacy);
    }
}
