package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.callhs.core.spi.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells core's and the modules' listeners about committed timeline events, in stream order,
 * after dropping a redacted event from the event cache. Callers hold the room's lock, so each
 * room's events arrive in order whoever wrote them.
 */
public final class EventListeners {
    private static final Logger log = LoggerFactory.getLogger(EventListeners.class);

    private final EventStore eventStore;
    private final List<EventListener> listeners;

    public EventListeners(EventStore eventStore, List<EventListener> listeners) {
        this.eventStore = eventStore;
        this.listeners = List.copyOf(listeners);
    }

    public void committed(List<PersistedEvent> persisted) {
        for (PersistedEvent event : persisted) {
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
    }
}
