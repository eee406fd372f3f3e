package org.callhs.federation;

import static org.callhs.federation.schema.Tables.FEDERATION_INBOUND_TXNS;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/** Statements on {@code federation_inbound_txns}. */
final class InboundTxnRepository {
    Optional<ObjectNode> find(DSLContext dsl, String origin, String txnId) {
        return dsl.select(FEDERATION_INBOUND_TXNS.RESPONSE).from(FEDERATION_INBOUND_TXNS)
                .where(FEDERATION_INBOUND_TXNS.ORIGIN.eq(origin).and(FEDERATION_INBOUND_TXNS.TXN_ID.eq(txnId)))
                .fetchOptional(r -> (ObjectNode) Json.parse(r.value1()));
    }

    void insert(DSLContext tx, String origin, String txnId, String response, long now) {
        tx.insertInto(FEDERATION_INBOUND_TXNS)
                .set(FEDERATION_INBOUND_TXNS.ORIGIN, origin)
                .set(FEDERATION_INBOUND_TXNS.TXN_ID, txnId)
                .set(FEDERATION_INBOUND_TXNS.RESPONSE, response)
                .set(FEDERATION_INBOUND_TXNS.RECEIVED_TS, now)
                .onConflictDoNothing().execute();
    }

    int deleteBefore(DSLContext tx, long cutoff) {
        return tx.deleteFrom(FEDERATION_INBOUND_TXNS).where(FEDERATION_INBOUND_TXNS.RECEIVED_TS.lt(cutoff)).execute();
    }
}
