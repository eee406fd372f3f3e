package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import org.callhs.core.util.Json;

/**
 * The {@code rtc} configuration section: MatrixRTC (MSC4143) transports offered to clients.
 *
 * @param transports the transports, each an object with a string {@code type}; a {@code livekit} transport also
 *                   needs {@code livekit_service_url} (the LiveKit JWT service, e.g. element-hq/lk-jwt-service).
 *                   Served as they are written; empty: no transports (an empty list, not an error)
 */
public record RtcConfig(List<JsonNode> transports) {
    public static final String SECTION = "rtc";

    public static RtcConfig defaults() {
        return new RtcConfig(List.of());
    }

    public void validate() {
        if (transports == null) throw new IllegalArgumentException(SECTION + ".transports must be a list");
        for (JsonNode transport : transports) {
            if (transport == null || !transport.isObject() || !transport.path("type").isTextual()) {
                throw new IllegalArgumentException(SECTION + ".transports: each transport needs a string 'type'");
            }
            if (transport.path("type").textValue().equals("livekit") && !transport.path("livekit_service_url").isTextual()) {
                throw new IllegalArgumentException(SECTION + ".transports: a livekit transport needs a string 'livekit_service_url'");
            }
        }
    }

    /** The transports as one JSON array. */
    ArrayNode asArray() {
        ArrayNode array = Json.array();
        transports.forEach(t -> array.add(t.deepCopy()));
        return array;
    }
}
