package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.spi.FederatedRooms;
import org.callhs.core.storage.Database;
import org.callhs.core.util.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /_matrix/federation/v1/send/{txnId}}: a transaction of PDUs and EDUs from another
 * server.
 *
 * <ul>
 * <li>At most 50 PDUs and 100 EDUs; more, or a body of the wrong shape, is 400 {@code M_BAD_JSON}
 *     (the only whole-transaction refusals).
 * <li>De-duplicated per (origin, txnId): a retry gets the stored answer without being processed again.
 * <li>One origin's transactions are processed one at a time, in the order they arrive; other
 *     origins proceed in parallel.
 * <li>Each PDU gets its own entry in the answer's {@code pdus}, each EDU is handled on its own:
 *     one bad PDU or EDU never fails the others. PDUs go to core ({@link FederatedRooms}), which
 *     runs the checks on receipt; an entry carries {@code error} when the PDU was dropped or
 *     rejected (a soft-failed PDU is answered as accepted, as the spec asks). A database failure
 *     is not the EDU's fault: the transaction then fails (500) unrecorded, so the origin retries it.
 * </ul>
 * Spec: <a href="https://spec.matrix.org/v1.16/server-server-api/#put_matrixfederationv1sendtxnid">PUT /send/{txnId}</a>.
 */
final class InboundTransactions implements Routes {
    private static final Logger log = LoggerFactory.getLogger(InboundTransactions.class);

    private final Database database;
    private final InboundTxnRepository txns;
    private final EduDispatcher edus;
    private final PduIds pduIds;
    private final java.util.function.Supplier<FederatedRooms> rooms;
    private final Clock clock;
    private final Map<String, ReentrantLock> originLocks = new ConcurrentHashMap<>();

    InboundTransactions(Database database, InboundTxnRepository txns, EduDispatcher edus, PduIds pduIds,
                        java.util.function.Supplier<FederatedRooms> rooms, Clock clock) {
        this.rooms = rooms;
        this.database = database;
        this.txns = txns;
        this.edus = edus;
        this.pduIds = pduIds;
        this.clock = clock;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("PUT", "/_matrix/federation/v1/send/{txnId}", AuthKind.SERVER, null, this::receive));
    }

    private ApiResponse receive(ApiRequest request) {
        String origin = request.requester().origin();
        String txnId = request.path("txnId");
        ObjectNode body = request.jsonObject();
        JsonNode pdus = body.get("pdus");
        JsonNode eduList = body.get("edus");
        if (pdus == null || !pdus.isArray()) throw MatrixException.badJson("pdus must be an array");
        if (eduList != null && !eduList.isNull() && !eduList.isArray()) throw MatrixException.badJson("edus must be an array");
        if (pdus.size() > OutboundQueue.MAX_PDUS) throw MatrixException.badJson("A transaction may carry at most 50 PDUs");
        if (eduList != null && eduList.size() > OutboundQueue.MAX_EDUS) throw MatrixException.badJson("A transaction may carry at most 100 EDUs");
        ReentrantLock lock = originLocks.computeIfAbsent(origin, o -> new ReentrantLock(true));
        lock.lock();
        try {
            var stored = txns.find(database.dsl(), origin, txnId);
            if (stored.isPresent()) return ApiResponse.ok(stored.get());
            ObjectNode answer = Json.object();
            ObjectNode pduResults = answer.putObject("pdus");
            List<JsonNode> pduList = new java.util.ArrayList<>();
            pdus.forEach(pduList::add);
            List<FederatedRooms.PduResult> results = rooms.get().receive(origin, pduList);
            for (int i = 0; i < pduList.size(); i++) {
                FederatedRooms.PduResult result = results.get(i);
                String eventId = result.eventId() != null ? result.eventId() : pduIds.eventId(pduList.get(i));
                if (eventId == null) continue; // not a PDU at all: left out, as Synapse does
                ObjectNode entry = pduResults.putObject(eventId);
                if (result.error() != null) entry.put("error", result.error());
            }
            if (eduList != null) {
                for (JsonNode edu : eduList) {
                    try {
                        edus.dispatch(origin, edu);
                    } catch (org.jooq.exception.DataAccessException e) {
                        // The database failed, not the EDU: answer 500 without recording the transaction,
                        // so the origin retries it (deliveries already made are de-duplicated).
                        throw e;
                    } catch (RuntimeException e) {
                        log.warn("EDU from {} failed: {}", origin, e.toString());
                    }
                }
            }
            database.transaction(tx -> {
                txns.insert(tx, origin, txnId, Json.write(answer), clock.millis());
                return null;
            });
            return ApiResponse.ok(answer);
        } finally {
            lock.unlock();
        }
    }
}
