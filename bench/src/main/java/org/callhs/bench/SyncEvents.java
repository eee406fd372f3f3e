package org.callhs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the delayed-event scenarios read from one {@code /sync} response: its {@code next_batch},
 * every room event of {@code rooms.join.*.timeline.events} and {@code rooms.join.*.state.events}
 * (type, state key, {@code content.body}, {@code origin_server_ts}), and how many joined rooms
 * had a {@code limited} timeline (a gap: events may have been skipped, though state events of
 * the gap still come in {@code state}).
 */
record SyncEvents(String nextBatch, int limitedTimelines, List<Event> events) {

    /** One room event; {@code stateKey} and {@code body} are null when absent, {@code originServerTs} -1. */
    record Event(String type, String stateKey, String body, long originServerTs) { }

    static SyncEvents parse(byte[] body) throws RequestFailure {
        JsonNode root = SyncBatch.root(body);
        String nextBatch = root.path("next_batch").asText();
        List<Event> events = new ArrayList<>();
        int limited = 0;
        for (JsonNode room : root.path("rooms").path("join")) {
            JsonNode timeline = room.path("timeline");
            if (timeline.path("limited").asBoolean(false)) {
                limited++;
            }
            addEvents(room.path("state").path("events"), events);
            addEvents(timeline.path("events"), events);
        }
        return new SyncEvents(nextBatch, limited, events);
    }

    private static void addEvents(JsonNode array, List<Event> events) {
        for (JsonNode event : array) {
            JsonNode stateKey = event.path("state_key");
            JsonNode text = event.path("content").path("body");
            events.add(new Event(event.path("type").asText(null), stateKey.isTextual() ? stateKey.textValue() : null,
                    text.isTextual() ? text.textValue() : null, event.path("origin_server_ts").asLong(-1)));
        }
    }
}
