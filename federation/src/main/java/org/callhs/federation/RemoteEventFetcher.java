package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.callhs.core.spi.RemoteEvents;
import org.callhs.core.util.Json;

/**
 * Core's {@link RemoteEvents} over the wire: {@code /event}, {@code /event_auth},
 * {@code /get_missing_events} and {@code /state_ids} of the Server-Server API. Answers of the
 * wrong shape count as empty; the parts that are not objects are left out (core checks the rest).
 */
final class RemoteEventFetcher implements RemoteEvents {
    private final FederationClient client;
    private final long timeoutMs;

    RemoteEventFetcher(FederationClient client, long timeoutMs) {
        this.client = client;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public Optional<JsonNode> event(String server, String eventId) {
        JsonNode answer = client.request(server, "GET", "/_matrix/federation/v1/event/" + Paths.segment(eventId), null, timeoutMs);
        List<JsonNode> pdus = objects(answer.path("pdus"));
        return pdus.isEmpty() ? Optional.empty() : Optional.of(pdus.get(0));
    }

    @Override
    public List<JsonNode> eventAuth(String server, String roomId, String eventId) {
        JsonNode answer = client.request(server, "GET",
                "/_matrix/federation/v1/event_auth/" + Paths.segment(roomId) + "/" + Paths.segment(eventId), null, timeoutMs);
        return objects(answer.path("auth_chain"));
    }

    @Override
    public List<JsonNode> missingEvents(String server, String roomId, List<String> earliest, List<String> latest, int limit, long minDepth) {
        ObjectNode body = Json.object();
        ArrayNode early = body.putArray("earliest_events");
        earliest.forEach(early::add);
        ArrayNode late = body.putArray("latest_events");
        latest.forEach(late::add);
        body.put("limit", limit);
        body.put("min_depth", minDepth);
        JsonNode answer = client.request(server, "POST", "/_matrix/federation/v1/get_missing_events/" + Paths.segment(roomId), body,
                timeoutMs);
        return objects(answer.path("events"));
    }

    @Override
    public List<JsonNode> backfill(String server, String roomId, List<String> from, int limit) {
        StringBuilder target = new StringBuilder("/_matrix/federation/v1/backfill/" + Paths.segment(roomId) + "?limit=" + limit);
        for (String id : from) target.append("&v=").append(Paths.query(id));
        JsonNode answer = client.request(server, "GET", target.toString(), null, timeoutMs);
        return objects(answer.path("pdus"));
    }

    @Override
    public Optional<StateIds> stateIds(String server, String roomId, String eventId) {
        JsonNode answer = client.request(server, "GET",
                "/_matrix/federation/v1/state_ids/" + Paths.segment(roomId) + "?event_id=" + Paths.query(eventId), null, timeoutMs);
        if (!answer.path("pdu_ids").isArray() || !answer.path("auth_chain_ids").isArray()) return Optional.empty();
        return Optional.of(new StateIds(strings(answer.get("pdu_ids")), strings(answer.get("auth_chain_ids"))));
    }

    private static List<JsonNode> objects(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        if (array.isArray()) for (JsonNode item : array) if (item.isObject()) out.add(item);
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode item : array) if (item.isTextual()) out.add(item.textValue());
        return out;
    }
}
