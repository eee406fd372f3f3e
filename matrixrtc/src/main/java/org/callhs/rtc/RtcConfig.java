package org.callhs.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The {@code rtc} configuration section: MatrixRTC (MSC4143) transports offered to clients, and
 * the built-in LiveKit token service.
 *
 * @param transports the transports, each an object with a string {@code type}; a {@code livekit} transport also
 *                   needs {@code livekit_service_url} (a LiveKit JWT service such as element-hq/lk-jwt-service).
 *                   Served as they are written, after the built-in service's transport when that is on; empty:
 *                   only the built-in one, or none (an empty list, not an error)
 * @param livekit    the built-in LiveKit token service; null: off
 */
public record RtcConfig(List<JsonNode> transports, LiveKitConfig livekit) {
    public static final String SECTION = "rtc";

    public static RtcConfig defaults() {
        return new RtcConfig(List.of(), null);
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
        if (livekit != null) livekit.validate();
    }
}
