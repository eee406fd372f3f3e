package org.callhs.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Features;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Where MatrixRTC clients find their media transports (MSC4143):
 * <ul>
 * <li>{@code GET /_matrix/client/unstable/org.matrix.msc4143/rtc/transports}:
 *     {@code {"rtc_transports": [...]}}: the built-in LiveKit service when it is on, then
 *     {@code rtc.transports}; an empty list when there are none (Synapse answers {@code {}} then,
 *     which leaves matrix-js-sdk with no list at all). matrix-js-sdk 43 fetches it at start-up.
 * <li>{@code org.matrix.msc4143.rtc_foci} in {@code /.well-known/matrix/client}, the older discovery
 *     that Element Call and lk-jwt-service's documentation still use; only when there are transports.
 * </ul>
 * See https://github.com/matrix-org/matrix-spec-proposals/pull/4143
 */
final class RtcTransportsEndpoint implements Routes, Features {
    private final ArrayNode transports;

    /** @param builtIn the built-in LiveKit service's transport, or null when it is off */
    RtcTransportsEndpoint(RtcConfig config, ObjectNode builtIn) {
        this.transports = Json.array();
        if (builtIn != null) transports.add(builtIn);
        config.transports().forEach(t -> transports.add(t.deepCopy()));
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("GET", "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports", AuthKind.USER, null,
                request -> {
                    ObjectNode body = Json.object();
                    body.set("rtc_transports", transports.deepCopy());
                    return ApiResponse.ok(body);
                }));
    }

    @Override
    public Map<String, Boolean> unstableFeatures() {
        return Map.of();
    }

    @Override
    public Map<String, JsonNode> wellKnownClient() {
        return transports.isEmpty() ? Map.of() : Map.of("org.matrix.msc4143.rtc_foci", transports.deepCopy());
    }
}
