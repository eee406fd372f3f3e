package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.OptionalLong;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.EventListener;
import org.callhs.core.spi.EventWriteHook;
import org.jooq.DSLContext;

/**
 * Keeps {@code sticky_events} and the in-memory {@link StickyIndex} in step with the events: in
 * the event's own transaction it records a sticky event that has not already expired (table and
 * index), and drops the row of an event being redacted (redaction removes the sticky key, so the
 * event stops being sticky; the index forgets it once the redaction committed). After the commit
 * it moves the sticky stream on and wakes the room's long-polls under that stream, so a sync
 * whose timeline filter hides the event still answers with it. A sticky event another instance of
 * a cluster wrote reaches the index from the table when the listener hears it.
 */
final class StickyEventRecorder implements EventWriteHook, EventListener {
    private final org.callhs.core.storage.Database database;
    private final StickyEventRepository repository;
    private final StickyIndex index;
    private final StickyStream stream;
    private final Clock clock;

    StickyEventRecorder(org.callhs.core.storage.Database database, StickyEventRepository repository, StickyIndex index,
                        StickyStream stream, Clock clock) {
        this.database = database;
        this.repository = repository;
        this.index = index;
        this.stream = stream;
        this.clock = clock;
    }

    @Override
    public void written(DSLContext tx, PersistedEvent event) {
        String redacted = redactedBy(event);
        if (redacted != null) repository.deleteEvent(tx, redacted);
        long now = clock.millis();
        OptionalLong expiry = StickyDuration.expiry(event.pdu(), now);
        if (expiry.isPresent() && expiry.getAsLong() > now) {
            StickyEventRepository.Row row = new StickyEventRepository.Row(event.streamOrdering(), event.eventId(), event.roomId(),
                    event.sender(), expiry.getAsLong());
            repository.insert(tx, row);
            index.add(row);
            org.callhs.core.storage.Database.onRollback(tx, () -> index.remove(row.eventId()));
        }
    }

    @Override
    public void onEvent(PersistedEvent event) {
        String redacted = redactedBy(event);
        if (redacted != null) index.remove(redacted);
        if (StickyDuration.effective(event.pdu()).isPresent()) {
            if (!index.contains(event.eventId())) {
                // Written by another instance (or already expired): the table has the row if it is still sticky.
                repository.find(database.dsl(), event.eventId()).filter(r -> r.expiresAt() > clock.millis()).ifPresent(index::add);
            }
            stream.committed(event.streamOrdering(), event.roomId());
        }
    }

    /** The event a redaction redacts, or null for any other event. */
    private static String redactedBy(PersistedEvent event) {
        if (!event.type().equals("m.room.redaction")) return null;
        JsonNode target = event.version().redactsInContent() ? event.pdu().path("content").path("redacts") : event.pdu().path("redacts");
        return target.isTextual() ? target.textValue() : null;
    }
}
