package org.callhs.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * How core fetches room events it lacks from another server (Server-Server API "Retrieving
 * events"), when a received event cites auth or prev events this server does not hold. The
 * federation module provides it. Calls block; a server that cannot be reached or refuses
 * gives an empty answer (or throws), and the caller carries on with what it has.
 */
public interface RemoteEvents {
    /** {@code GET /event/{eventId}}: the PDU, if the server gave one. */
    Optional<JsonNode> event(String server, String eventId);

    /** {@code GET /event_auth/{roomId}/{eventId}}: the event's full auth chain, as PDUs. */
    List<JsonNode> eventAuth(String server, String roomId, String eventId);

    /**
     * {@code POST /get_missing_events/{roomId}}: events before {@code latest} back to (not
     * including) {@code earliest}, at most {@code limit}, none below {@code minDepth}.
     */
    List<JsonNode> missingEvents(String server, String roomId, List<String> earliest, List<String> latest, int limit, long minDepth);

    /** {@code GET /backfill/{roomId}?v=...&limit=}: the events and their ancestors, as PDUs (newest first). */
    default List<JsonNode> backfill(String server, String roomId, List<String> from, int limit) { return List.of(); }

    /** {@code GET /state_ids/{roomId}?event_id=}: the IDs of the state before the event and of its auth chain. */
    Optional<StateIds> stateIds(String server, String roomId, String eventId);

    /** The answer of {@code /state_ids}. */
    record StateIds(List<String> pduIds, List<String> authChainIds) {}

    /** Fetches nothing. */
    RemoteEvents NONE = new RemoteEvents() {
        @Override public Optional<JsonNode> event(String server, String eventId) { return Optional.empty(); }
        @Override public List<JsonNode> eventAuth(String server, String roomId, String eventId) { return List.of(); }
        @Override public List<JsonNode> missingEvents(String server, String roomId, List<String> earliest, List<String> latest,
                                                      int limit, long minDepth) { return List.of(); }
        @Override public Optional<StateIds> stateIds(String server, String roomId, String eventId) { return Optional.empty(); }
    };
}
