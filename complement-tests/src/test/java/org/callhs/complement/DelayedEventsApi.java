package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsRequest;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Rooms;

/**
 * The MSC4140 calls the delayed-events scenarios share: scheduling with
 * {@code org.matrix.msc4140.delay}, the endpoints under the unstable prefix, and waiting.
 */
final class DelayedEventsApi {
    /** The event type the scenarios schedule; rooms from {@link #room} let everyone send it. */
    static final String TYPE = "com.example.test";
    static final String DELAY = "org.matrix.msc4140.delay";

    private DelayedEventsApi() {}

    /** A request to {@code /_matrix/client/unstable/org.matrix.msc4140/<rest...>}, with the client's token if it has one. */
    static CsRequest unstable(CsApiClient client, String method, String... rest) {
        List<String> path = new ArrayList<>(List.of("_matrix", "client", "unstable", "org.matrix.msc4140"));
        path.addAll(List.of(rest));
        return client.requestAt(method, path.toArray(String[]::new));
    }

    /** The caller's scheduled delayed events ({@code GET /delayed_events}, which must answer 200). */
    static JsonNode list(CsApiClient client) {
        return unstable(client, "GET", "delayed_events").send().assertOk().path("delayed_events");
    }

    /** {@code GET /delayed_events/{delayId}}: one of the caller's events, scheduled or finalised. */
    static CsResponse lookup(CsApiClient client, String delayId) {
        return unstable(client, "GET", "delayed_events", delayId).send();
    }

    /** {@code POST /delayed_events/{delayId}/{action}} with {@code {}}; anonymous if the client has no token. */
    static CsResponse act(CsApiClient client, String delayId, String action) {
        return unstable(client, "POST", "delayed_events", delayId, action).json(obj()).send();
    }

    /** A public room {@code owner} created, where {@link #TYPE} needs power 0, that {@code others} joined. */
    static String room(CsApiClient owner, CsApiClient... others) {
        String roomId = Rooms.create(owner, obj("preset", "public_chat", "power_level_content_override", obj("events", obj(TYPE, 0))));
        for (CsApiClient other : others) Rooms.join(other, roomId);
        return roomId;
    }

    /** {@code PUT /rooms/{roomId}/state/{type}/{key}?org.matrix.msc4140.delay=}: asserts a delay ID and no event ID; returns the former. */
    static String delayState(CsApiClient client, String roomId, String type, String key, long delay, Object content) {
        JsonNode r = client.request("PUT", "rooms", roomId, "state", type, key).query(DELAY, Long.toString(delay))
                .json(content).send().assertOk();
        assertThat(r.has("event_id")).as("event_id in %s", r).isFalse();
        assertThat(r.path("delay_id").asText()).as("delay_id in %s", r).isNotBlank();
        return r.path("delay_id").asText();
    }

    /** {@code PUT /rooms/{roomId}/send/{type}/{txnId}?org.matrix.msc4140.delay=}, not yet sent. */
    static CsRequest delaySend(CsApiClient client, String roomId, String type, String txnId, long delay) {
        return client.request("PUT", "rooms", roomId, "send", type, txnId).query(DELAY, Long.toString(delay));
    }

    /** {@code GET /rooms/{roomId}/state/{type}/{key}}, whatever it answers. */
    static CsResponse state(CsApiClient client, String roomId, String type, String key) {
        return client.get("rooms", roomId, "state", type, key);
    }

    /** Polls every 100 ms for up to 20 s. */
    static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            sleep(100);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
