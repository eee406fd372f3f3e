package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What a module advertises to clients: flags for {@code unstable_features} in
 * {@code GET /_matrix/client/versions} and entries for {@code GET /_matrix/client/v3/capabilities}.
 */
public interface Features {
    Map<String, Boolean> unstableFeatures();

    /** Capability name to capability object, e.g. {@code org.matrix.msc4140.delayed_events}. */
    default Map<String, ObjectNode> capabilities() { return Map.of(); }

    /** Extra top-level keys of {@code /.well-known/matrix/client}, e.g. MSC4143's {@code org.matrix.msc4143.rtc_foci}. */
    default Map<String, com.fasterxml.jackson.databind.JsonNode> wellKnownClient() { return Map.of(); }
}
