package org.callhs.delayed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.EventDraft;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.SendGuard;
import org.callhs.core.spi.SendOutcome;
import org.callhs.core.storage.Database;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends delayed events. Each send claims its row in the event's own transaction (see
 * {@link SendGuard}): the row turns {@code sent} and the event is written in one commit, or
 * neither happens. So an event is sent at most once whatever crashes, and, because the claim on
 * timeout requires {@code due_ts <= now}, never before an acknowledged restart's due time.
 *
 * <p>Due events are sent room by room in due order, up to 64 of a room in one transaction (one
 * durable commit; each event in its own savepoint, so one refusal does not hold the others
 * back); different rooms are sent in parallel (up to {@code firing_concurrency} at once), so a
 * mass expiry, such as a whole call whose media server died, is not one commit per event.
 * A refusal on timeout (membership, power levels, an unknown room) finalises the event as
 * {@code failed} with the refusal as its {@code error}; a database failure leaves it scheduled
 * for the next sweep.
 *
 * <p>Instances of a cluster share the firing: each first leases the due rows nobody holds
 * ({@code FOR UPDATE SKIP LOCKED}, {@value #LEASE_MS} ms), then sends those. The lease only
 * keeps the others from doing the same work; the claim stays the exactly-once guarantee, so a
 * lease that runs out while its holder is still sending costs a refused claim, nothing more.
 */
final class DelayedEventFirer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DelayedEventFirer.class);
    static final String DELAY_ID_KEY = "org.matrix.msc4140.delay_id";
    private static final int BATCH = 512;
    /** Due events of one room sent in one transaction (one durable commit) at most. */
    private static final int PER_TRANSACTION = 64;

    private final Database database;
    private final DelayedEventRepository repository;
    private final DelayedEventService.EventSenderSource sender;
    private final Clock clock;
    private final DueClock dueClock;
    private final DelayedEventMetrics metrics;
    /** This instance's name when it shares the firing with other instances (leases), or null when it fires alone. */
    private final String leaseOwner;
    /** How long a lease keeps other instances off a row this one is about to send. */
    static final long LEASE_MS = 5_000;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("delayed-send-", 0).factory());
    private final Semaphore concurrency;

    DelayedEventFirer(Database database, DelayedEventRepository repository, DelayedEventService.EventSenderSource sender, Clock clock,
                      DueClock dueClock, String leaseOwner, int concurrency, DelayedEventMetrics metrics) {
        this.metrics = metrics;
        this.dueClock = dueClock;
        this.leaseOwner = leaseOwner;
        this.database = database;
        this.repository = repository;
        this.sender = sender;
        this.clock = clock;
        this.concurrency = new Semaphore(concurrency);
    }

    /**
     * Sends everything due now, oldest first per room; returns how many were sent or failed.
     * Then moves the wake time of events restarted since they were last looked at up to their
     * due time (see {@link DelayedEventRepository#advanceWakeTimes}), so the next-due search
     * does not find them again: after the sends, so that this write is not on the due events'
     * path.
     */
    int fireDue() throws InterruptedException {
        try {
            return sendDue();
        } finally {
            advanceWakeTimes();
        }
    }

    private int sendDue() throws InterruptedException {
        int handled = 0;
        while (true) {
            List<DelayedEvent> due = leaseOwner == null ? repository.due(database.dsl(), dueClock.now(), BATCH)
                    : database.transaction(tx -> repository.leaseDue(tx, leaseOwner, dueClock.now(), LEASE_MS, BATCH));
            if (due.isEmpty()) return handled;
            Map<String, List<DelayedEvent>> byRoom = new LinkedHashMap<>();
            for (DelayedEvent event : due) byRoom.computeIfAbsent(event.roomId(), r -> new ArrayList<>()).add(event);
            List<Future<?>> running = new ArrayList<>(byRoom.size());
            for (List<DelayedEvent> room : byRoom.values()) {
                concurrency.acquire();
                running.add(workers.submit(() -> {
                    try {
                        for (int from = 0; from < room.size(); from += PER_TRANSACTION) {
                            fireOnTimeout(room.subList(from, Math.min(room.size(), from + PER_TRANSACTION)));
                        }
                    } finally {
                        concurrency.release();
                    }
                }));
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    log.warn("delayed event batch failed", e.getCause());
                }
            }
            handled += due.size();
            if (due.size() < BATCH) return handled;
        }
    }

    /**
     * One autocommit statement. A failure here (another instance's restarts holding the rows)
     * only makes the next firing come early and try again, so it is logged and the firing goes on.
     */
    private void advanceWakeTimes() {
        try {
            database.autocommit(tx -> repository.advanceWakeTimes(tx, dueClock.now()));
        } catch (DataAccessException e) {
            log.debug("wake times not advanced: {}", e.getMessage());
        }
    }

    /**
     * Sends one room's due events (in due order) in one transaction: the first guard claims the
     * whole batch in one statement, each event's guard records its event ID, or its refusal as
     * the finalised event's {@code error}, in the same transaction.
     */
    private void fireOnTimeout(List<DelayedEvent> events) {
        String roomId = events.get(0).roomId();
        BatchClaim claim = new BatchClaim(events.stream().map(DelayedEvent::delayId).toList());
        List<EventDraft> drafts = new ArrayList<>(events.size());
        List<SendGuard> guards = new ArrayList<>(events.size());
        for (DelayedEvent event : events) {
            drafts.add(draft(event).withOriginServerTs(event.dueTs()));
            guards.add(claim.guardFor(event.delayId()));
        }
        List<SendOutcome> outcomes;
        try {
            outcomes = sender.get().sendAll(roomId, drafts, guards);
        } catch (DataAccessException e) {
            log.warn("{} delayed events in {} not sent, will retry: {}", events.size(), roomId, e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.error("{} delayed events in {} could not be sent", events.size(), roomId, e);
            return;
        }
        long written = clock.millis();
        for (int i = 0; i < events.size(); i++) {
            SendOutcome outcome = outcomes.get(i);
            if (outcome.sent()) metrics.sent(written - events.get(i).dueTs());
            if (!outcome.sent() && outcome.error() instanceof MatrixException e) {
                metrics.refused();
                log.atInfo().setMessage("delayed event failed").addKeyValue("delay_id", events.get(i).delayId())
                        .addKeyValue("room_id", roomId).addKeyValue("error", e.errcode()).log();
            }
            // Not claimed: restarted, cancelled or sent meanwhile (perhaps by another instance).
        }
    }

    /**
     * Claims a batch's rows in one statement when its first guard runs, inside the send's transaction,
     * and records the event IDs of the batch in one round trip once every claimed event is written or refused.
     */
    private final class BatchClaim {
        private final List<String> delayIds;
        private java.util.Set<String> claimed;
        private long claimedAt;
        private final java.util.Map<String, String> eventIds = new java.util.LinkedHashMap<>();
        private int settled;

        BatchClaim(List<String> delayIds) {
            this.delayIds = delayIds;
        }

        SendGuard guardFor(String delayId) {
            return new SendGuard() {
                @Override
                public boolean claim(DSLContext tx) {
                    if (claimed == null) {
                        claimedAt = clock.millis();
                        claimed = repository.claimDue(tx, delayIds, claimedAt, dueClock.now());
                    }
                    return claimed.contains(delayId);
                }

                @Override
                public void written(DSLContext tx, PersistedEvent event) {
                    eventIds.put(delayId, event.eventId());
                    settled(tx);
                }

                @Override
                public void refused(DSLContext tx, RuntimeException error) {
                    MatrixException e = error instanceof MatrixException m ? m : new MatrixException(ErrCode.UNKNOWN, 500, "Internal server error");
                    repository.recordRefusal(tx, delayId, error(e.errcode(), e.getMessage()));
                    settled(tx);
                }
            };
        }

        /** Every claimed event ends written or refused before the transaction commits; the last one records the IDs. */
        private void settled(DSLContext tx) {
            if (++settled == claimed.size() && !eventIds.isEmpty()) repository.recordEventIds(tx, eventIds);
        }
    }

    /**
     * The {@code send} action: sends now, stamped with the current time. Returns false when the
     * event was no longer scheduled; a refusal is thrown and leaves the event scheduled.
     */
    boolean sendOnRequest(DelayedEvent event) {
        try {
            sender.get().send(draft(event), claimNow(event.delayId()));
            return true;
        } catch (SendGuard.NotClaimed e) {
            return false;
        }
    }

    /** The {@code send} action's guard: claims the event if it is still scheduled, due or not. */
    private SendGuard claimNow(String delayId) {
        return new SendGuard() {
            @Override
            public boolean claim(DSLContext tx) {
                long now = clock.millis();
                return repository.claim(tx, delayId, now);
            }

            @Override
            public void written(DSLContext tx, PersistedEvent event) {
                repository.recordEventId(tx, delayId, event.eventId());
            }
        };
    }

    private static EventDraft draft(DelayedEvent event) {
        ObjectNode internal = Json.object().put(DELAY_ID_KEY, event.delayId());
        return new EventDraft(event.roomId(), event.userId(), event.deviceId(), null, event.type(), event.stateKey(), event.content(),
                event.extraKeys(), null, internal);
    }

    private static ObjectNode error(String errcode, String message) {
        return Json.object().put("errcode", errcode).put("error", message == null ? "" : message);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
