package org.callhs.complement.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

/** Room helpers shared by the room scenarios: creating, sending, reading state and history. */
public final class Rooms {

    private static final AtomicLong TXN = new AtomicLong();
    private static final String TXN_PREFIX = "txn-" + Names.random(6) + "-";

    private Rooms() {}

    /** A transaction ID never used before by this test JVM. */
    public static String txnId() {
        return TXN_PREFIX + TXN.incrementAndGet();
    }

    /** {@code POST /createRoom}; returns the room ID. */
    public static String create(CsApiClient client, Map<String, Object> body) {
        JsonNode created = client.post(body, "createRoom").assertOk();
        String roomId = created.path("room_id").asText(null);
        assertThat(roomId).as("room_id in %s", created).isNotBlank();
        return roomId;
    }

    /** A message {@code m.room.message} / {@code m.text}; returns the event ID. */
    public static String sendText(CsApiClient client, String roomId, String body) {
        return send(client, roomId, "m.room.message", obj("msgtype", "m.text", "body", body));
    }

    /** Any event type with a fresh transaction ID; returns the event ID. */
    public static String send(CsApiClient client, String roomId, String type, Object content) {
        JsonNode sent = client.put(content, "rooms", roomId, "send", type, txnId()).assertOk();
        return eventId(sent);
    }

    /** {@code PUT /rooms/{roomId}/state/{type}/{stateKey}}; returns the event ID. */
    public static String putState(CsApiClient client, String roomId, String type, String stateKey, Object content) {
        return eventId(putStateRaw(client, roomId, type, stateKey, content).assertOk());
    }

    public static CsResponse putStateRaw(CsApiClient client, String roomId, String type, String stateKey, Object content) {
        return client.put(content, "rooms", roomId, "state", type, stateKey);
    }

    /** The content of a current state event. */
    public static JsonNode state(CsApiClient client, String roomId, String type, String stateKey) {
        return client.get("rooms", roomId, "state", type, stateKey).assertOk();
    }

    /** A current state event in the client format ({@code ?format=event}). */
    public static JsonNode stateEvent(CsApiClient client, String roomId, String type, String stateKey) {
        return client.request("GET", "rooms", roomId, "state", type, stateKey).query("format", "event").send().assertOk();
    }

    /** {@code GET /rooms/{roomId}/event/{eventId}}. */
    public static JsonNode event(CsApiClient client, String roomId, String eventId) {
        return client.get("rooms", roomId, "event", eventId).assertOk();
    }

    public static void join(CsApiClient client, String roomIdOrAlias) {
        client.post(obj(), "join", roomIdOrAlias).assertOk();
    }

    public static void invite(CsApiClient inviter, String roomId, String userId) {
        inviter.post(obj("user_id", userId), "rooms", roomId, "invite").assertOk();
    }

    public static void leave(CsApiClient client, String roomId) {
        client.post(obj(), "rooms", roomId, "leave").assertOk();
    }

    /** {@code GET /joined_rooms}. */
    public static List<String> joinedRooms(CsApiClient client) {
        List<String> out = new ArrayList<>();
        client.get("joined_rooms").assertOk().path("joined_rooms").forEach(r -> out.add(r.asText()));
        return out;
    }

    /** One page of {@code /messages}; {@code extra} are further query parameters as name, value pairs. */
    public static JsonNode messages(CsApiClient client, String roomId, String dir, String from, Integer limit, String... extra) {
        CsRequest request = client.request("GET", "rooms", roomId, "messages").query("dir", dir);
        if (from != null) request.query("from", from);
        if (limit != null) request.query("limit", String.valueOf(limit));
        for (int i = 0; i + 1 < extra.length; i += 2) request.query(extra[i], extra[i + 1]);
        JsonNode page = request.send().assertOk();
        assertThat(page.path("chunk").isArray()).as("chunk array in %s", page).isTrue();
        assertThat(page.path("start").isTextual()).as("start token in %s", page).isTrue();
        return page;
    }

    /**
     * Every event of the room, paginating {@code dir} ("b" newest first, "f" oldest first) in
     * pages of {@code pageSize} until the server stops returning an {@code end} token. Fails on a
     * page loop or a duplicate event.
     */
    public static List<JsonNode> paginateAll(CsApiClient client, String roomId, String dir, int pageSize) {
        List<JsonNode> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String from = null;
        for (int pages = 0; ; pages++) {
            assertThat(pages).as("pagination of %s (dir=%s) should end", roomId, dir).isLessThan(10_000);
            JsonNode page = messages(client, roomId, dir, from, pageSize);
            assertThat(page.path("chunk").size()).as("page size with limit %d: %s", pageSize, page).isLessThanOrEqualTo(pageSize);
            for (JsonNode event : page.path("chunk")) {
                assertThat(seen.add(event.path("event_id").asText()))
                        .as("event %s returned twice while paginating dir=%s", event.path("event_id").asText(), dir).isTrue();
                all.add(event);
            }
            JsonNode end = page.path("end");
            if (!end.isTextual() || page.path("chunk").isEmpty()) return all;
            assertThat(end.asText()).as("end token must move on from %s", from).isNotEqualTo(from);
            from = end.asText();
        }
    }

    /** The event IDs of a list of events. */
    public static List<String> ids(Iterable<JsonNode> events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> out.add(e.path("event_id").asText()));
        return out;
    }

    /** The {@code content.body} of the events that have one, in order. */
    public static List<String> bodies(Iterable<JsonNode> events) {
        List<String> out = new ArrayList<>();
        events.forEach(e -> {
            if (e.path("content").path("body").isTextual()) out.add(e.path("content").path("body").asText());
        });
        return out;
    }

    private static String eventId(JsonNode body) {
        String id = body.path("event_id").asText(null);
        assertThat(id).as("event_id in %s", body).isNotBlank().startsWith("$");
        return id;
    }
}
