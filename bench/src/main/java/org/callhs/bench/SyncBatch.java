package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sync scenarios read from one {@code /sync} response: its {@code next_batch}, the
 * number of joined rooms, and the {@code content.body} of every event it carries in
 * {@code rooms.join.*.timeline.events}, {@code rooms.join.*.msc4354_sticky.events} and {@code to_device.events}. The fan-out scenarios put
 * a body unique to the run in each message they send and recognise deliveries by it.
 */
record SyncBatch(String nextBatch, int joinedRooms, List<String> bodies) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The parsed body of a {@code /sync} answer; a failure unless it is JSON with a {@code next_batch}. */
    static JsonNode root(byte[] body) throws RequestFailure {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw RequestFailure.http("sync", 200, "NOT_JSON", e.getMessage());
        }
        if (root == null || root.path("next_batch").asText(null) == null) {
            throw RequestFailure.http("sync", 200, "NO_NEXT_BATCH", "no next_batch in the response");
        }
        return root;
    }

    static SyncBatch parse(byte[] body) throws RequestFailure {
        JsonNode root = root(body);
        String nextBatch = root.path("next_batch").asText();
        List<String> bodies = new ArrayList<>();
        JsonNode joined = root.path("rooms").path("join");
        for (JsonNode room : joined) {
            addBodies(room.path("timeline").path("events"), bodies);
            addBodies(room.path("msc4354_sticky").path("events"), bodies);
        }
        addBodies(root.path("to_device").path("events"), bodies);
        return new SyncBatch(nextBatch, joined.size(), bodies);
    }

    private static void addBodies(JsonNode events, List<String> bodies) {
        for (JsonNode event : events) {
            JsonNode text = event.path("content").path("body");
            if (text.isTextual()) {
                bodies.add(text.textValue());
            }
        }
    }
}
