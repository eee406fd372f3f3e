package org.callhs.core.room.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * Read access to a room state: the PDU (JSON, federation format) that currently fills a
 * (type, state key) slot, if any.
 */
@FunctionalInterface
public interface StateView {
    Optional<JsonNode> get(StateKey key);

    default Optional<JsonNode> get(String type, String stateKey) { return get(StateKey.of(type, stateKey)); }

    /** A live view over {@code state}; later changes to the map show through. */
    static StateView of(Map<StateKey, ? extends JsonNode> state) {
        return key -> Optional.ofNullable(state.get(key));
    }

    /** The empty state (the state before a room's create event). */
    static StateView empty() { return key -> Optional.empty(); }
}
