package org.callhs.federation;

import static org.callhs.federation.schema.Tables.FEDERATION_DESTINATIONS;
import static org.callhs.federation.schema.Tables.FEDERATION_OUTBOX;

import java.util.List;
import java.util.Optional;
import org.callhs.federation.schema.tables.records.FederationDestinationsRecord;
import org.callhs.federation.schema.tables.records.FederationOutboxRecord;
import org.jooq.DSLContext;

/** Statements on {@code federation_destinations} and {@code federation_outbox}; the caller owns the transaction. */
final class OutboxRepository {
    /**
     * Takes the next queue position of a destination (creating its row), under the row's lock.
     * Transaction numbers start at the creation time in milliseconds, so a server whose database
     * was reset never reuses an ID the destination still remembers (Synapse keeps them a day).
     */
    long nextPosition(DSLContext tx, String destination, long now) {
        tx.insertInto(FEDERATION_DESTINATIONS)
                .set(FEDERATION_DESTINATIONS.DESTINATION, destination)
                .set(FEDERATION_DESTINATIONS.NEXT_POSITION, 1L)
                .set(FEDERATION_DESTINATIONS.NEXT_TXN_ID, now)
                .set(FEDERATION_DESTINATIONS.RETRY_AT_TS, 0L)
                .set(FEDERATION_DESTINATIONS.RETRY_INTERVAL_MS, 0L)
                .onConflictDoNothing().execute();
        tx.update(FEDERATION_DESTINATIONS).set(FEDERATION_DESTINATIONS.NEXT_POSITION, FEDERATION_DESTINATIONS.NEXT_POSITION.plus(1L))
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).execute();
        return tx.select(FEDERATION_DESTINATIONS.NEXT_POSITION).from(FEDERATION_DESTINATIONS)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).fetchSingle().value1() - 1;
    }

    void insert(DSLContext tx, String destination, long position, String kind, String payload, long now) {
        tx.insertInto(FEDERATION_OUTBOX)
                .set(FEDERATION_OUTBOX.DESTINATION, destination)
                .set(FEDERATION_OUTBOX.POSITION, position)
                .set(FEDERATION_OUTBOX.KIND, kind)
                .set(FEDERATION_OUTBOX.PAYLOAD, payload)
                .set(FEDERATION_OUTBOX.CREATED_TS, now)
                .execute();
    }

    Optional<FederationDestinationsRecord> destination(DSLContext dsl, String destination) {
        return dsl.selectFrom(FEDERATION_DESTINATIONS).where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).fetchOptional();
    }

    /** Destinations with anything queued. */
    List<String> pendingDestinations(DSLContext dsl) {
        return dsl.selectDistinct(FEDERATION_OUTBOX.DESTINATION).from(FEDERATION_OUTBOX).fetch(FEDERATION_OUTBOX.DESTINATION);
    }

    /** Items waiting, per destination that has any. */
    java.util.Map<String, Integer> countsByDestination(DSLContext dsl) {
        return dsl.select(FEDERATION_OUTBOX.DESTINATION, org.jooq.impl.DSL.count()).from(FEDERATION_OUTBOX)
                .groupBy(FEDERATION_OUTBOX.DESTINATION).fetchMap(FEDERATION_OUTBOX.DESTINATION, org.jooq.impl.DSL.count());
    }

    /** The oldest queued items of a destination, at most {@code limit}; only up to {@code upTo} when it is not null. */
    List<FederationOutboxRecord> items(DSLContext dsl, String destination, Long upTo, int limit) {
        var condition = FEDERATION_OUTBOX.DESTINATION.eq(destination);
        if (upTo != null) condition = condition.and(FEDERATION_OUTBOX.POSITION.le(upTo));
        return dsl.selectFrom(FEDERATION_OUTBOX).where(condition).orderBy(FEDERATION_OUTBOX.POSITION).limit(limit).fetch();
    }

    /**
     * Takes or renews the sending lease of a destination for {@code instance} until {@code until}:
     * succeeds when nobody holds it, this instance does, or the holder's lease ran out by {@code now}.
     */
    boolean takeSenderLease(DSLContext tx, String destination, String instance, long now, long until) {
        return tx.update(FEDERATION_DESTINATIONS)
                .set(FEDERATION_DESTINATIONS.SENDER_INSTANCE, instance)
                .set(FEDERATION_DESTINATIONS.SENDER_LEASE_UNTIL, until)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination),
                        FEDERATION_DESTINATIONS.SENDER_INSTANCE.isNull()
                                .or(FEDERATION_DESTINATIONS.SENDER_INSTANCE.eq(instance))
                                .or(FEDERATION_DESTINATIONS.SENDER_LEASE_UNTIL.le(now)))
                .execute() == 1;
    }

    /** Names the transaction that carries the items up to {@code upTo}, so a retry repeats it exactly. */
    String startTransaction(DSLContext tx, String destination, long upTo) {
        tx.update(FEDERATION_DESTINATIONS).set(FEDERATION_DESTINATIONS.NEXT_TXN_ID, FEDERATION_DESTINATIONS.NEXT_TXN_ID.plus(1L))
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).execute();
        long number = tx.select(FEDERATION_DESTINATIONS.NEXT_TXN_ID).from(FEDERATION_DESTINATIONS)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).fetchSingle().value1() - 1;
        String txnId = Long.toString(number);
        tx.update(FEDERATION_DESTINATIONS)
                .set(FEDERATION_DESTINATIONS.INFLIGHT_TXN_ID, txnId)
                .set(FEDERATION_DESTINATIONS.INFLIGHT_UP_TO, upTo)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).execute();
        return txnId;
    }

    /** The destination acknowledged the transaction: its items go, the back-off resets. */
    void completeTransaction(DSLContext tx, String destination, long upTo) {
        tx.deleteFrom(FEDERATION_OUTBOX)
                .where(FEDERATION_OUTBOX.DESTINATION.eq(destination).and(FEDERATION_OUTBOX.POSITION.le(upTo))).execute();
        tx.update(FEDERATION_DESTINATIONS)
                .setNull(FEDERATION_DESTINATIONS.INFLIGHT_TXN_ID)
                .setNull(FEDERATION_DESTINATIONS.INFLIGHT_UP_TO)
                .set(FEDERATION_DESTINATIONS.RETRY_AT_TS, 0L)
                .set(FEDERATION_DESTINATIONS.RETRY_INTERVAL_MS, 0L)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).execute();
    }

    /** Forgets the transaction in flight (it was refused whole, or never sent): its items go out in new ones. */
    void clearTransaction(DSLContext tx, String destination) {
        tx.update(FEDERATION_DESTINATIONS)
                .setNull(FEDERATION_DESTINATIONS.INFLIGHT_TXN_ID)
                .setNull(FEDERATION_DESTINATIONS.INFLIGHT_UP_TO)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).execute();
    }

    void deleteItem(DSLContext tx, String destination, long position) {
        tx.deleteFrom(FEDERATION_OUTBOX)
                .where(FEDERATION_OUTBOX.DESTINATION.eq(destination).and(FEDERATION_OUTBOX.POSITION.eq(position))).execute();
    }

    boolean hasItems(DSLContext dsl, String destination) {
        return dsl.fetchExists(FEDERATION_OUTBOX, FEDERATION_OUTBOX.DESTINATION.eq(destination));
    }

    void backOff(DSLContext tx, String destination, long retryAt, long interval) {
        tx.update(FEDERATION_DESTINATIONS)
                .set(FEDERATION_DESTINATIONS.RETRY_AT_TS, retryAt)
                .set(FEDERATION_DESTINATIONS.RETRY_INTERVAL_MS, interval)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination)).execute();
    }

    /** The destination contacted us: try again now. */
    int resetBackOff(DSLContext tx, String destination) {
        return tx.update(FEDERATION_DESTINATIONS)
                .set(FEDERATION_DESTINATIONS.RETRY_AT_TS, 0L)
                .set(FEDERATION_DESTINATIONS.RETRY_INTERVAL_MS, 0L)
                .where(FEDERATION_DESTINATIONS.DESTINATION.eq(destination).and(FEDERATION_DESTINATIONS.RETRY_INTERVAL_MS.gt(0L)))
                .execute();
    }
}
