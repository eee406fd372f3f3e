package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Consumer;
import org.callhs.core.spi.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells core's and the modules' listeners about committed timeline events, in stream order
 * across all rooms ({@link EventDelivery}), after dropping a redacted event from the event
 * cache. Writers call {@link #committed} after their commit; it returns once their events were
 * delivered.
 */
public final class EventListeners implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventListeners.class);

    private final EventStore eventStore;
    private final List<EventListener> listeners;
    private final EventDelivery delivery;
    private final Consumer<Runnable> scope;
    /** Told after this process committed events (the cluster's doorbell), or null. */
    private volatile Runnable committedHere;

    /**
     * @param start the events stream's position at start-up
     * @param scope runs each delivery (the sync notifier marks what listeners do as every instance's own work)
     */
    public EventListeners(EventStore eventStore, List<EventListener> listeners, EventDelivery.Source source, long start,
                          Consumer<Runnable> scope) {
        this.eventStore = eventStore;
        this.listeners = List.copyOf(listeners);
        this.scope = scope;
        this.delivery = new EventDelivery(source, this::deliver, start);
    }

    /** Calls {@code ring} after every commit of events by this process (cluster mode: the other instances' doorbell). */
    public void onCommittedHere(Runnable ring) {
        this.committedHere = ring;
    }

    /** Events whose positions are exactly theirs. */
    public void committed(List<PersistedEvent> persisted) {
        committed(persisted, 0, -1);
    }

    /** Events and the block of positions {@code [first, last]} taken for them; the block's other positions are unused. */
    public void committed(List<PersistedEvent> persisted, long first, long last) {
        Runnable ring = committedHere;
        if (ring != null && (!persisted.isEmpty() || last >= first)) ring.run();
        delivery.committed(persisted, first, last);
    }

    /** Reads the events stream for events not delivered yet (written by another process, or by a writer that failed after its commit). */
    public int catchUp() {
        return delivery.catchUp();
    }

    /** The events stream's position up to which listeners heard every event. */
    public long delivered() {
        return delivery.delivered();
    }

    private void deliver(PersistedEvent event) {
        scope.accept(() -> deliverNow(event));
    }

    private void deliverNow(PersistedEvent event) {
        if (event.type().equals("m.room.redaction")) {
            JsonNode target = event.version().redactsInContent() ? event.pdu().path("content").path("redacts") : event.pdu().path("redacts");
            if (target.isTextual()) eventStore.forget(target.textValue());
        }
        for (EventListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("event listener failed on {}", event.eventId(), e);
            }
        }
    }

    @Override
    public void close() {
        delivery.close();
    }
}
