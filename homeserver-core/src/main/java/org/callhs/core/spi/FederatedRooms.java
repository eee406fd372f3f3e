package org.callhs.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import org.jooq.DSLContext;

/**
 * What core offers the federation module about rooms: receiving the PDUs other servers send,
 * what they may read, and the resident side of joins, leaves and knocks. Core owns the room
 * DAG and every check; the module owns the wire. Methods refusing a request throw
 * {@link org.callhs.core.error.MatrixException} with the error the other server should get.
 */
public interface FederatedRooms {
    /**
     * Receives the PDUs of one {@code /send} transaction from {@code origin}, in order, each on
     * its own: a bad or rejected PDU never affects its neighbours. One result per PDU, in the
     * same order. A module's {@link InboundPduGate} may refuse the whole transaction first (429).
     */
    List<PduResult> receive(String origin, List<JsonNode> pdus);

    /**
     * What became of one PDU.
     *
     * @param eventId its event ID, or null when it has none this server can compute (not an
     *                event of a room this server holds; the caller may still name it)
     * @param error   null when it was accepted (or soft-failed, which the sender is not told), else why not
     */
    record PduResult(String eventId, String error) {}

    /** The PDU of a stored event as signed (without {@code event_id}), read in {@code tx}; for queueing it to another server. */
    java.util.Optional<ObjectNode> storedPdu(DSLContext tx, String eventId);

    /** {@code GET /event/{eventId}}: the PDU, if {@code origin} may read it. */
    ObjectNode event(String origin, String eventId);

    /** {@code GET /state_ids}: {@code {pdu_ids, auth_chain_ids}} for the state before the event. */
    ObjectNode stateIds(String origin, String roomId, String eventId);

    /** {@code GET /state}: {@code {pdus, auth_chain}} for the state before the event. */
    ObjectNode state(String origin, String roomId, String eventId);

    /** {@code GET /event_auth}: the event's auth chain. */
    List<ObjectNode> eventAuth(String origin, String roomId, String eventId);

    /** {@code POST /get_missing_events}: oldest first. */
    List<ObjectNode> missingEvents(String origin, String roomId, List<String> earliest, List<String> latest, int limit, long minDepth);

    /** {@code GET /timestamp_to_event}: {@code {event_id, origin_server_ts}} of the closest event; 404 when none. */
    ObjectNode timestampToEvent(String origin, String roomId, long ts, boolean forwards);

    /** {@code GET /backfill}: the events and their ancestors, newest first. */
    List<ObjectNode> backfill(String origin, String roomId, List<String> from, int limit);

    /**
     * {@code GET /make_join}, {@code /make_leave}, {@code /make_knock}: {@code {room_version, event}};
     * {@code versions} is the requesting server's {@code ver} list (null where the endpoint has none).
     */
    ObjectNode makeMembership(String origin, String roomId, String userId, String membership, List<String> versions);

    /**
     * {@code PUT /send_join}, {@code /send_leave}, {@code /send_knock}: writes the signed
     * membership event; the answer for a join holds the state before it and its auth chain.
     */
    MembershipAccepted sendMembership(String origin, String roomId, String eventId, JsonNode event, String membership);

    /**
     * A membership event accepted through {@code send_*}.
     *
     * @param answer        the send_join answer ({@code state}, {@code auth_chain}, {@code event}, ...)
     * @param event         the event as stored (with this server's signature where it added one)
     * @param serversInRoom the servers with joined members after it, this one included
     */
    record MembershipAccepted(ObjectNode answer, ObjectNode event, Set<String> serversInRoom) {}

    /**
     * {@code PUT /invite}: checks an invite of a local user, signs it, and records it when this
     * server is not in the room; returns {@code {"event": ...}}. {@code roomVersion} is null for
     * {@code /v1/invite} (version 1, refused).
     */
    ObjectNode invite(String origin, String roomId, String eventId, String roomVersion, JsonNode event, JsonNode inviteRoomState);

    /** {@code GET/POST /publicRooms}: a page of this server's public room directory. */
    ObjectNode publicRooms(int limit, String since, String searchTerm);

    /** The servers with a joined member in the room's current state (this one included), read in {@code tx}. */
    Set<String> joinedServers(DSLContext tx, String roomId);
}
