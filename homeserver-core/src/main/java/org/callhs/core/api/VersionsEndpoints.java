package org.callhs.core.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.core.config.HomeserverConfig;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Features;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * Discovery endpoints: what the server speaks and where it lives.
 *
 * <ul>
 * <li>{@code GET /_matrix/client/versions}: spec versions (r0.0.1 to v1.12, as Synapse 1.16x
 *     advertises; advertising a version commits the server to what it deprecated) and the
 *     {@code unstable_features} contributed by modules.
 * <li>{@code GET /.well-known/matrix/client}: {@code m.homeserver.base_url} from {@code public_baseurl}.
 * <li>{@code GET /_matrix/client/v3/capabilities}: password change, room versions 6 to 12
 *     (default from {@code default_room_version}), profile changes, and module capabilities.
 * </ul>
 * Spec: Client-Server API, "API Standards" and "Capabilities negotiation".
 */
public final class VersionsEndpoints implements Routes {
    static final List<String> SPEC_VERSIONS = List.of(
            "r0.0.1", "r0.1.0", "r0.2.0", "r0.3.0", "r0.4.0", "r0.5.0", "r0.6.0", "r0.6.1",
            "v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8", "v1.9", "v1.10", "v1.11", "v1.12");

    private final HomeserverConfig config;
    private final List<Features> features;

    public VersionsEndpoints(HomeserverConfig config, List<Features> features) {
        this.config = config;
        this.features = features;
    }

    @Override
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        list.add(new Endpoint("GET", "/_matrix/client/versions", AuthKind.NONE, null, r -> versions()));
        list.add(new Endpoint("GET", "/.well-known/matrix/client", AuthKind.NONE, null, r -> wellKnown()));
        list.addAll(Endpoint.under(Endpoint.CLIENT_R0_V3, "GET", "/capabilities", AuthKind.USER, null, r -> capabilities()));
        return list;
    }

    private ApiResponse versions() {
        ObjectNode body = Json.object();
        SPEC_VERSIONS.forEach(body.putArray("versions")::add);
        ObjectNode unstable = body.putObject("unstable_features");
        unstable.put(SlidingSyncEndpoint.UNSTABLE_FEATURE, true);
        for (Features f : features) f.unstableFeatures().forEach(unstable::put);
        return ApiResponse.ok(body);
    }

    private ApiResponse wellKnown() {
        ObjectNode body = Json.object();
        body.putObject("m.homeserver").put("base_url", config.effectivePublicBaseurl());
        for (Features f : features) f.wellKnownClient().forEach((key, value) -> body.set(key, value.deepCopy()));
        return ApiResponse.ok(body);
    }

    private ApiResponse capabilities() {
        ObjectNode body = Json.object();
        ObjectNode caps = body.putObject("capabilities");
        caps.putObject("m.change_password").put("enabled", true);
        ObjectNode versions = caps.putObject("m.room_versions");
        versions.put("default", config.defaultRoomVersion());
        ObjectNode available = versions.putObject("available");
        for (String v : org.callhs.core.event.RoomVersion.supportedIds()) available.put(v, "stable");
        caps.putObject("m.set_displayname").put("enabled", true);
        caps.putObject("m.set_avatar_url").put("enabled", true);
        caps.putObject("m.3pid_changes").put("enabled", false);
        caps.putObject("m.get_login_token").put("enabled", false);
        for (Features f : features) {
            for (Map.Entry<String, ObjectNode> c : f.capabilities().entrySet()) caps.set(c.getKey(), c.getValue());
        }
        return ApiResponse.ok(body);
    }
}
