package org.callhs.delayed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.EventDraft;
import org.callhs.core.spi.EventSender;
import org.callhs.core.spi.RateLimits;
import org.callhs.core.storage.Database;
import org.callhs.delayed.DelayedEvent.Status;

/**
 * Scheduling and management of delayed events (MSC4140). The {@code delayed_events} table is
 * the source of truth; {@link FiringTimer} is told when the earliest due time may have moved
 * earlier, and {@link DelayedEventFirer} sends.
 *
 * <p>Outcomes of management actions, for clients that retry: restart of anything not scheduled
 * is 404 {@code M_NOT_FOUND}; {@code send} of a sent event and {@code cancel} of a cancelled or
 * failed one answer 200; any other conflict is 404 {@code M_NOT_FOUND} (matrix-js-sdk treats
 * other 4xx codes as fatal). An authenticated caller who does not own the event gets 404.
 */
final class DelayedEventService {
    /** The error body key that tells clients the largest delay this server accepts. */
    static final String MAX_DELAY_KEY = "org.matrix.msc4140.max_delay";

    private final Database database;
    private final DelayedEventRepository repository;
    private final DelayIds ids;
    private final DelayedEventsConfig config;
    private final Clock clock;
    private final EventSenderSource sender;
    private final RateLimits rateLimits;
    private final DelayedEventFirer firer;
    private final FiringTimer timer;
    private final DueClock dueClock;
    private final DelayedEventMetrics metrics;

    /** The core event sender, bound once the server has started. */
    @FunctionalInterface
    interface EventSenderSource {
        EventSender get();
    }

    DelayedEventService(Database database, DelayedEventRepository repository, DelayIds ids, DelayedEventsConfig config, Clock clock,
                        EventSenderSource sender, RateLimits rateLimits, DelayedEventFirer firer, FiringTimer timer, DueClock dueClock,
                        DelayedEventMetrics metrics) {
        this.metrics = metrics;
        this.dueClock = dueClock;
        this.database = database;
        this.repository = repository;
        this.ids = ids;
        this.config = config;
        this.clock = clock;
        this.sender = sender;
        this.rateLimits = rateLimits;
        this.firer = firer;
        this.timer = timer;
    }

    /**
     * Schedules {@code draft} to be sent after {@code delayMs}. A repeat of the same
     * (user, device, transaction ID) answers the first delay ID, whatever its body.
     */
    String schedule(EventDraft draft, long delayMs) {
        if (draft.txnId() != null && draft.deviceId() != null) {
            Optional<String> again = read(tx -> repository.byTransaction(tx, draft.sender(), draft.deviceId(), draft.roomId(), draft.type(), draft.txnId()));
            if (again.isPresent()) return again.get();
        }
        if (!config.enabled()) throw MatrixException.forbidden("Sending delayed events has been disallowed");
        if (delayMs > config.maxDelayMs()) {
            throw new MatrixException(ErrCode.FORBIDDEN, 403, "The requested delay of " + delayMs + " ms exceeds the allowed maximum of "
                    + config.maxDelayMs() + " ms", Map.of(MAX_DELAY_KEY, config.maxDelayMs()), Map.of());
        }
        sender.get().checkSendable(draft);
        long now = clock.millis();
        DelayedEvent event = new DelayedEvent(ids.next(), draft.sender(), draft.deviceId(), draft.roomId(), draft.type(), draft.stateKey(),
                draft.content(), draft.extraKeys(), delayMs, now + delayMs, Status.SCHEDULED, null, null, null);
        String stored = database.transaction(tx -> {
            if (draft.txnId() != null && draft.deviceId() != null) {
                Optional<String> again = repository.byTransaction(tx, draft.sender(), draft.deviceId(), draft.roomId(), draft.type(), draft.txnId());
                if (again.isPresent()) return again.get();
            }
            if (repository.countScheduled(tx, draft.sender()) >= config.maxScheduledPerUser()) {
                throw tooMany(repository.scheduledDueTimes(tx, draft.sender()), now);
            }
            repository.insert(tx, event, draft.txnId(), dueClock.now());
            return event.delayId();
        });
        if (stored.equals(event.delayId())) {
            metrics.scheduled();
            timer.armBy(event.dueTs());
        }
        return stored;
    }

    /**
     * 429 with {@code Retry-After} until enough of the user's events will have been sent to make
     * room for one more (no header when that moment has passed: an event is being sent now).
     */
    private MatrixException tooMany(List<Long> dueTimes, long now) {
        int mustGo = dueTimes.size() - config.maxScheduledPerUser() + 1;
        long until = dueTimes.get(Math.min(mustGo, dueTimes.size()) - 1);
        long retryMs = until - now;
        String message = "The maximum number of delayed events has been reached.";
        if (retryMs <= 0) return new MatrixException(ErrCode.LIMIT_EXCEEDED, 429, message);
        long seconds = (retryMs + 999) / 1000;
        return new MatrixException(ErrCode.LIMIT_EXCEEDED, 429, message, Map.of("retry_after_ms", retryMs),
                Map.of("Retry-After", Long.toString(seconds)));
    }

    List<DelayedEvent> scheduled(String userId) {
        return read(tx -> repository.scheduledOf(tx, userId));
    }

    /** One of the caller's delayed events, scheduled or finalised; 404 for anyone else's. */
    DelayedEvent get(String delayId, String userId) {
        return read(tx -> repository.find(tx, delayId)).filter(e -> e.userId().equals(userId))
                .orElseThrow(DelayedEventService::notFound);
    }

    void cancel(String delayId, Requester requester) {
        cancel(owned(delayId, requester));
    }

    /** Cancels {@code userId}'s scheduled event for an admin; 404 when that user has no such event, or it was sent. */
    void cancelFor(String delayId, String userId) {
        cancel(read(tx -> repository.find(tx, delayId)).filter(e -> e.userId().equals(userId)).orElseThrow(DelayedEventService::notFound));
    }

    private void cancel(DelayedEvent event) {
        String delayId = event.delayId();
        switch (event.status()) {
            case SCHEDULED -> {
                boolean cancelled = database.transaction(tx -> repository.cancel(tx, delayId, clock.millis()));
                if (!cancelled) {
                    // Finalised meanwhile: answer as if it had been finalised before the request.
                    Status now = read(tx -> repository.find(tx, delayId)).map(DelayedEvent::status).orElse(Status.SENT);
                    if (now != Status.CANCELLED && now != Status.FAILED) throw notFound();
                }
            }
            case CANCELLED, FAILED -> { }
            case SENT -> throw notFound();
        }
    }

    /**
     * Sends now. A refused send answers the refusal and leaves the event scheduled, so the
     * client may retry until its due time.
     */
    void sendNow(String delayId, Requester requester) {
        sendNow(owned(delayId, requester), true);
    }

    /**
     * Sends {@code userId}'s event now for another module (no rate limit: the server itself
     * decided). False when there is no such event of that user still scheduled or sent.
     */
    boolean sendNowFor(String delayId, String userId) {
        Optional<DelayedEvent> event = read(tx -> repository.find(tx, delayId)).filter(e -> e.userId().equals(userId));
        if (event.isEmpty()) return false;
        try {
            sendNow(event.get(), false);
            return true;
        } catch (MatrixException e) {
            if (e.status() == 404) return false;
            throw e;
        }
    }

    private void sendNow(DelayedEvent event, boolean limited) {
        String delayId = event.delayId();
        switch (event.status()) {
            case SCHEDULED -> {
                if (limited) rateLimits.acquire("message", event.userId());
                if (!firer.sendOnRequest(event)) {
                    Status now = read(tx -> repository.find(tx, delayId)).map(DelayedEvent::status).orElse(Status.CANCELLED);
                    if (now != Status.SENT) throw notFound();
                }
            }
            case SENT -> { }
            case CANCELLED, FAILED -> throw notFound();
        }
    }

    private DelayedEvent owned(String delayId, Requester requester) {
        return read(tx -> repository.find(tx, delayId))
                .filter(e -> requester == null || e.userId().equals(requester.userId()))
                .orElseThrow(DelayedEventService::notFound);
    }

    private <T> T read(java.util.function.Function<org.jooq.DSLContext, T> query) {
        return query.apply(database.dsl());
    }

    static MatrixException notFound() {
        return MatrixException.notFound("Delayed event not found");
    }
}
