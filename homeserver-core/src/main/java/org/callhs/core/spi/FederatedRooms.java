package org.callhs.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What core offers the federation module about rooms: receiving the PDUs other servers send.
 * Core owns the room DAG and every check on receipt; the module owns the wire.
 */
public interface FederatedRooms {
    /**
     * Receives the PDUs of one {@code /send} transaction from {@code origin}, in order, each on
     * its own: a bad or rejected PDU never affects its neighbours. One result per PDU, in the
     * same order.
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
}
