package org.callhs.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A module's extension of simplified sliding sync (MSC4186 {@code extensions.{name}} of
 * {@code POST /_matrix/client/unstable/org.matrix.simplified_msc3575/sync}). Only extensions
 * the request names are answered. To end long-polls early, the module wakes them through
 * {@link ModuleContext#notifier()} as it does for {@link SyncStream}s.
 */
public interface SlidingSyncExtension {
    /** The key under {@code extensions}, in the request and in the response. */
    String name();

    /**
     * Reads the request's {@code extensions.{name}} object. Throws a {@code MatrixException}
     * (400) for bad input; returns null when the extension is not enabled.
     */
    Object parse(JsonNode request);

    /** This response's part, or null when there is nothing to say (the key is then left out). */
    ObjectNode respond(SlidingSyncContext context, Object request);
}
