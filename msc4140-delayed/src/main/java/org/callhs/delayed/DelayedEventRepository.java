package org.callhs.delayed;

import static org.callhs.delayed.schema.Tables.DELAYED_EVENTS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.callhs.core.util.Json;
import org.callhs.delayed.DelayedEvent.Status;
import org.callhs.delayed.schema.tables.records.DelayedEventsRecord;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;

/** Statements on {@code delayed_events}; the caller owns the transaction. */
final class DelayedEventRepository {
    private static final String SCHEDULED = Status.SCHEDULED.dbValue();

    /** Stores a scheduled event, due {@code delay_ms} after {@code now} (see {@link DueClock}). */
    void insert(DSLContext tx, DelayedEvent event, String txnId, Field<Long> now) {
        tx.insertInto(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.DELAY_ID, event.delayId())
                .set(DELAYED_EVENTS.USER_ID, event.userId())
                .set(DELAYED_EVENTS.DEVICE_ID, event.deviceId())
                .set(DELAYED_EVENTS.TXN_ID, txnId)
                .set(DELAYED_EVENTS.ROOM_ID, event.roomId())
                .set(DELAYED_EVENTS.EVENT_TYPE, event.type())
                .set(DELAYED_EVENTS.STATE_KEY, event.stateKey())
                .set(DELAYED_EVENTS.CONTENT, event.content().toString())
                .set(DELAYED_EVENTS.EXTRA_KEYS, event.extraKeys().toString())
                .set(DELAYED_EVENTS.DELAY_MS, event.delayMs())
                .set(DELAYED_EVENTS.DUE_TS, now.plus(event.delayMs()))
                .set(DELAYED_EVENTS.WAKE_TS, now.plus(event.delayMs()))
                .set(DELAYED_EVENTS.STATUS, SCHEDULED)
                .execute();
    }

    /** The event a repeated scheduling request created: same device, room, event type and transaction ID. */
    Optional<String> byTransaction(DSLContext tx, String userId, String deviceId, String roomId, String type, String txnId) {
        return tx.select(DELAYED_EVENTS.DELAY_ID).from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.USER_ID.eq(userId), DELAYED_EVENTS.DEVICE_ID.eq(deviceId), DELAYED_EVENTS.ROOM_ID.eq(roomId),
                        DELAYED_EVENTS.EVENT_TYPE.eq(type), DELAYED_EVENTS.TXN_ID.eq(txnId))
                .fetchOptional(DELAYED_EVENTS.DELAY_ID);
    }

    Optional<DelayedEvent> find(DSLContext tx, String delayId) {
        return tx.selectFrom(DELAYED_EVENTS).where(DELAYED_EVENTS.DELAY_ID.eq(delayId)).fetchOptional().map(DelayedEventRepository::parse);
    }

    /** The user's scheduled events, earliest due first. */
    List<DelayedEvent> scheduledOf(DSLContext tx, String userId) {
        return tx.selectFrom(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.USER_ID.eq(userId), DELAYED_EVENTS.STATUS.eq(SCHEDULED))
                .orderBy(DELAYED_EVENTS.DUE_TS, DELAYED_EVENTS.DELAY_ID)
                .fetch(DelayedEventRepository::parse);
    }

    /** Every user's scheduled events: the number the metrics show. */
    int countAllScheduled(DSLContext dsl) {
        return dsl.fetchCount(DELAYED_EVENTS, DELAYED_EVENTS.STATUS.eq(SCHEDULED));
    }

    int countScheduled(DSLContext tx, String userId) {
        return tx.fetchCount(DELAYED_EVENTS, DELAYED_EVENTS.USER_ID.eq(userId), DELAYED_EVENTS.STATUS.eq(SCHEDULED));
    }

    /** Due times of the user's scheduled events, earliest first. */
    List<Long> scheduledDueTimes(DSLContext tx, String userId) {
        return tx.select(DELAYED_EVENTS.DUE_TS).from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.USER_ID.eq(userId), DELAYED_EVENTS.STATUS.eq(SCHEDULED))
                .orderBy(DELAYED_EVENTS.DUE_TS)
                .fetch(DELAYED_EVENTS.DUE_TS);
    }

    /**
     * Owners of the given IDs (missing IDs are absent). The IDs go as one array parameter, so
     * the statement's text, and PostgreSQL's prepared plan, is the same whatever their number.
     */
    Map<String, String> owners(DSLContext tx, Collection<String> delayIds) {
        return tx.select(DELAYED_EVENTS.DELAY_ID, DELAYED_EVENTS.USER_ID).from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.DELAY_ID.eq(DSL.any(delayIds.toArray(String[]::new))))
                .fetchMap(DELAYED_EVENTS.DELAY_ID, DELAYED_EVENTS.USER_ID);
    }

    /**
     * Moves each still-scheduled event's due time to {@code now + delay}; returns the IDs it
     * moved, with their owners. An event already due is not moved: it is as good as sent (after a
     * restart of the server, overdue events go out first, whatever heartbeats arrive). The IDs
     * go as one array parameter, as in {@link #owners}.
     *
     * <p>Only {@code due_ts} changes, a column no index holds, so PostgreSQL updates the row in
     * place (HOT) and no index grows. {@code wake_ts} only moves when a clock stepped back and
     * the new due time is earlier than it.
     */
    Map<String, String> restart(DSLContext tx, Collection<String> delayIds, Field<Long> now) {
        return tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.DUE_TS, DELAYED_EVENTS.DELAY_MS.plus(now))
                .set(DELAYED_EVENTS.WAKE_TS, DSL.least(DELAYED_EVENTS.WAKE_TS, DELAYED_EVENTS.DELAY_MS.plus(now)))
                .where(DELAYED_EVENTS.DELAY_ID.eq(DSL.any(delayIds.toArray(String[]::new))), DELAYED_EVENTS.STATUS.eq(SCHEDULED),
                        DELAYED_EVENTS.DUE_TS.gt(now))
                .returning(DELAYED_EVENTS.DELAY_ID, DELAYED_EVENTS.USER_ID)
                .fetchMap(DELAYED_EVENTS.DELAY_ID, DELAYED_EVENTS.USER_ID);
    }

    /**
     * Claims a scheduled event for sending now (the {@code send} action): marks it sent as of
     * {@code now} if it is still scheduled. On PostgreSQL the update takes the row lock, so a
     * concurrent restart or cancel waits for the send to commit.
     */
    boolean claim(DSLContext tx, String delayId, long now) {
        return tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.STATUS, Status.SENT.dbValue())
                .set(DELAYED_EVENTS.FINALISED_TS, now)
                .where(DELAYED_EVENTS.DELAY_ID.eq(delayId), DELAYED_EVENTS.STATUS.eq(SCHEDULED))
                .execute() == 1;
    }

    /**
     * Claims those of {@code delayIds} still scheduled and due by {@code now}: marks them sent as
     * of {@code finalisedTs} and returns their IDs. The caller sends them in the same transaction.
     */
    Set<String> claimDue(DSLContext tx, Collection<String> delayIds, long finalisedTs, Field<Long> now) {
        return new HashSet<>(tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.STATUS, Status.SENT.dbValue())
                .set(DELAYED_EVENTS.FINALISED_TS, finalisedTs)
                .where(DELAYED_EVENTS.DELAY_ID.in(delayIds), DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.DUE_TS.le(now))
                .returning(DELAYED_EVENTS.DELAY_ID)
                .fetch(DELAYED_EVENTS.DELAY_ID));
    }

    /** Turns a claimed event whose send was refused into a failed one, in the claiming transaction. */
    void recordRefusal(DSLContext tx, String delayId, ObjectNode error) {
        tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.STATUS, Status.FAILED.dbValue())
                .set(DELAYED_EVENTS.ERROR, error.toString())
                .where(DELAYED_EVENTS.DELAY_ID.eq(delayId))
                .execute();
    }

    void recordEventId(DSLContext tx, String delayId, String eventId) {
        tx.update(DELAYED_EVENTS).set(DELAYED_EVENTS.EVENT_ID, eventId).where(DELAYED_EVENTS.DELAY_ID.eq(delayId)).execute();
    }

    /** The events that delayed events became, as one JDBC batch (one round trip). */
    void recordEventIds(DSLContext tx, Map<String, String> eventIdByDelayId) {
        List<org.jooq.Query> updates = new java.util.ArrayList<>(eventIdByDelayId.size());
        eventIdByDelayId.forEach((delayId, eventId) -> updates.add(
                tx.update(DELAYED_EVENTS).set(DELAYED_EVENTS.EVENT_ID, eventId).where(DELAYED_EVENTS.DELAY_ID.eq(delayId))));
        tx.batch(updates).execute();
    }

    boolean cancel(DSLContext tx, String delayId, long now) {
        return tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.STATUS, Status.CANCELLED.dbValue())
                .set(DELAYED_EVENTS.FINALISED_TS, now)
                .where(DELAYED_EVENTS.DELAY_ID.eq(delayId), DELAYED_EVENTS.STATUS.eq(SCHEDULED))
                .execute() == 1;
    }

    /** Whether any user but {@code sender} has a delayed state event scheduled for this (room, type, state key). */
    boolean othersScheduledFor(DSLContext tx, String roomId, String type, String stateKey, String sender) {
        return tx.fetchExists(DELAYED_EVENTS, DELAYED_EVENTS.ROOM_ID.eq(roomId), DELAYED_EVENTS.EVENT_TYPE.eq(type),
                DELAYED_EVENTS.STATE_KEY.eq(stateKey), DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.USER_ID.ne(sender));
    }

    /** Cancels other users' scheduled delayed state events for this (room, type, state key). */
    int cancelOverwritten(DSLContext tx, String roomId, String type, String stateKey, String sender, long now) {
        return tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.STATUS, Status.CANCELLED.dbValue())
                .set(DELAYED_EVENTS.FINALISED_TS, now)
                .where(DELAYED_EVENTS.ROOM_ID.eq(roomId), DELAYED_EVENTS.EVENT_TYPE.eq(type), DELAYED_EVENTS.STATE_KEY.eq(stateKey),
                        DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.USER_ID.ne(sender))
                .execute();
    }

    /**
     * How far ahead {@link #advanceWakeTimes} looks. Call members restart every few seconds, so
     * the wake time of each of them lags behind its due time most of the time; moving only those
     * already passed would wake the firing once per member and restart (hundreds of times a
     * second for 2,000 members). Moving every lagging one due to wake within this horizon makes
     * it about one wake-up per horizon instead.
     */
    static final long ADVANCE_HORIZON_MS = 10_000;

    /**
     * Moves the wake time of scheduled events restarted since the firing last looked at them,
     * and due to wake within {@link #ADVANCE_HORIZON_MS}, up to their due time, so that
     * {@link #due} and {@link #nextDue} do not find them before it. One statement for all of
     * them; returns how many moved.
     */
    int advanceWakeTimes(DSLContext tx, Field<Long> now) {
        return tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.WAKE_TS, DELAYED_EVENTS.DUE_TS)
                .where(DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.WAKE_TS.le(now.plus(ADVANCE_HORIZON_MS)),
                        DELAYED_EVENTS.WAKE_TS.lt(DELAYED_EVENTS.DUE_TS))
                .execute();
    }

    /** Scheduled events due by {@code now}, earliest first. */
    List<DelayedEvent> due(DSLContext tx, Field<Long> now, int limit) {
        return tx.selectFrom(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.WAKE_TS.le(now), DELAYED_EVENTS.DUE_TS.le(now))
                .orderBy(DELAYED_EVENTS.DUE_TS, DELAYED_EVENTS.DELAY_ID)
                .limit(limit)
                .fetch(DelayedEventRepository::parse);
    }

    /**
     * Leases up to {@code limit} scheduled events due by {@code now} that nobody holds a live lease
     * on, earliest first, for {@code owner} until {@code now + leaseMs}, skipping rows another
     * instance is leasing at this moment ({@code FOR UPDATE SKIP LOCKED}); returns them.
     */
    List<DelayedEvent> leaseDue(DSLContext tx, String owner, Field<Long> now, long leaseMs, int limit) {
        var free = DSL.select(DELAYED_EVENTS.DELAY_ID).from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.WAKE_TS.le(now), DELAYED_EVENTS.DUE_TS.le(now),
                        DELAYED_EVENTS.LEASE_EXPIRES_TS.isNull().or(DELAYED_EVENTS.LEASE_EXPIRES_TS.le(now))
                                .or(DELAYED_EVENTS.LEASE_OWNER.eq(owner)))
                .orderBy(DELAYED_EVENTS.DUE_TS, DELAYED_EVENTS.DELAY_ID)
                .limit(limit)
                .forUpdate().skipLocked();
        return tx.update(DELAYED_EVENTS)
                .set(DELAYED_EVENTS.LEASE_OWNER, owner)
                .set(DELAYED_EVENTS.LEASE_EXPIRES_TS, now.plus(leaseMs))
                .where(DELAYED_EVENTS.DELAY_ID.in(free))
                .returning()
                .fetch().stream().map(DelayedEventRepository::parse)
                .sorted(java.util.Comparator.comparingLong(DelayedEvent::dueTs).thenComparing(DelayedEvent::delayId))
                .toList();
    }

    /**
     * When there may next be something to send: for events whose wake time has come, the later
     * of it and the end of a lease an instance holds on them (leased, not yet sent); otherwise
     * the earliest wake time (at most the due time). Both are searches of the wake-time index
     * over few rows, never a scan of every scheduled event: with 100,000 events scheduled an
     * hour ahead, an aggregate over all of them took 20 ms on each firing, which is every
     * 50 ms at 20 events a second.
     */
    Optional<Long> nextDue(DSLContext tx, Field<Long> now) {
        Long woken = tx.select(DSL.min(DSL.greatest(DELAYED_EVENTS.WAKE_TS, DSL.coalesce(DELAYED_EVENTS.LEASE_EXPIRES_TS, 0L))))
                .from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.WAKE_TS.le(now))
                .fetchOne(0, Long.class);
        Long ahead = tx.select(DELAYED_EVENTS.WAKE_TS).from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.STATUS.eq(SCHEDULED), DELAYED_EVENTS.WAKE_TS.gt(now))
                .orderBy(DELAYED_EVENTS.WAKE_TS)
                .limit(1)
                .fetchOptional(DELAYED_EVENTS.WAKE_TS).orElse(null);
        if (woken == null) return Optional.ofNullable(ahead);
        return Optional.of(ahead == null ? woken : Math.min(woken, ahead));
    }

    /** Deletes every delayed event of a purged room, scheduled or finalised: a scheduled one is then never claimed. */
    int deleteRoom(DSLContext tx, String roomId) {
        return tx.deleteFrom(DELAYED_EVENTS).where(DELAYED_EVENTS.ROOM_ID.eq(roomId)).execute();
    }

    /** Deletes finalised events finalised before {@code cutoff}. */
    int deleteFinalisedBefore(DSLContext tx, long cutoff) {
        return tx.deleteFrom(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.STATUS.ne(SCHEDULED), DELAYED_EVENTS.FINALISED_TS.lt(cutoff))
                .execute();
    }

    /** Deletes each user's finalised events beyond the newest {@code keep}. */
    int deleteFinalisedBeyond(DSLContext tx, int keep) {
        var rank = DSL.rowNumber().over(DSL.partitionBy(DELAYED_EVENTS.USER_ID)
                .orderBy(DELAYED_EVENTS.FINALISED_TS.desc(), DELAYED_EVENTS.DELAY_ID.desc())).as("rank");
        var ranked = DSL.select(DELAYED_EVENTS.DELAY_ID, rank).from(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.STATUS.ne(SCHEDULED)).asTable("ranked");
        return tx.deleteFrom(DELAYED_EVENTS)
                .where(DELAYED_EVENTS.DELAY_ID.in(DSL.select(ranked.field(DELAYED_EVENTS.DELAY_ID)).from(ranked)
                        .where(ranked.field("rank", Integer.class).gt(keep))))
                .execute();
    }

    private static DelayedEvent parse(DelayedEventsRecord r) {
        return new DelayedEvent(r.getDelayId(), r.getUserId(), r.getDeviceId(), r.getRoomId(), r.getEventType(), r.getStateKey(),
                object(r.getContent()), object(r.getExtraKeys()), r.getDelayMs(), r.getDueTs(), Status.of(r.getStatus()),
                r.getFinalisedTs(), r.getEventId(), r.getError() == null ? null : object(r.getError()));
    }

    private static ObjectNode object(String json) {
        JsonNode node = Json.parse(json);
        return node instanceof ObjectNode o ? o : Json.object();
    }
}
