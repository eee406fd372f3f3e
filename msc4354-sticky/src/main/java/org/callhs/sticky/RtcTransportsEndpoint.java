package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
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
 *     {@code {"rtc_transports": [...]}} from {@code rtc.transports}, an empty list when none is
 *     configured (Synapse answers {@code {}} then, which leaves matrix-js-sdk with no list at all).
 *     matrix-js-sdk 43 fetches it at start-up.
 * <li>{@code org.matrix.msc4143.rtc_foci} in {@code /.well-known/matrix/client}, the older discovery
 *     that lk-jwt-service's documentation still describes; only when transports are configured.
 * </ul>
 */
final class RtcTransportsEndpoint implements Routes, Features {
    private final RtcConfig config;

    RtcTransportsEndpoint(RtcConfig config) {
        this.config = config;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("GET", "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports", AuthKind.USER, null,
                request -> {
                    ObjectNode body = Json.object();
                    body.set("rtc_transports", config.asArray());
                    return ApiResponse.ok(body);
                }));
    }

    @Override
    public Map<String, Boolean> unstableFeatures() {
        return Map.of();
    }

    @Override
    public Map<String, JsonNode> wellKnownClient() {
        return config.transports().isEmpty() ? Map.of() : Map.of("org.matrix.msc4143.rtc_foci", config.asArray());
    }
}
