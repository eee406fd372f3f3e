package org.callhs.core.storage.repo;

import static org.callhs.core.storage.schema.Tables.EVENT_TRANSACTIONS;

import java.util.Optional;
import org.jooq.DSLContext;

/** Statements on {@code event_transactions}: idempotent sends per (user, device, transaction scope); the scope (the {@code txn_id} column) is the room, event type and client transaction ID ({@code RoomWriter.transactionScope}). */
public final class EventTransactionRepository {
    public Optional<String> find(DSLContext tx, String userId, String deviceId, String txnId) {
        return tx.select(EVENT_TRANSACTIONS.EVENT_ID).from(EVENT_TRANSACTIONS)
                .where(EVENT_TRANSACTIONS.USER_ID.eq(userId), EVENT_TRANSACTIONS.DEVICE_ID.eq(deviceId),
                        EVENT_TRANSACTIONS.TXN_ID.eq(txnId))
                .fetchOptional(EVENT_TRANSACTIONS.EVENT_ID);
    }

    public void insert(DSLContext tx, String userId, String deviceId, String txnId, String eventId) {
        tx.insertInto(EVENT_TRANSACTIONS).set(EVENT_TRANSACTIONS.USER_ID, userId).set(EVENT_TRANSACTIONS.DEVICE_ID, deviceId)
                .set(EVENT_TRANSACTIONS.TXN_ID, txnId).set(EVENT_TRANSACTIONS.EVENT_ID, eventId).execute();
    }
}
