package org.callhs.core.room;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.storage.repo.EventRepository;
import org.callhs.core.storage.repo.RoomRepository;
import org.callhs.core.storage.schema.tables.records.EventsRecord;
import org.callhs.core.util.Json;
import org.jooq.DSLContext;

/**
 * Reads events by ID through a cache of parsed PDUs (a PDU never changes; redaction is kept
 * in a separate column), a cache of whole events (dropped when the event is redacted, and
 * after a minute at most, which bounds the effect of a read racing a redaction), and rooms'
 * versions (a room never changes version).
 */
public final class EventStore {
    private final EventRepository events;
    private final RoomRepository rooms;
    private final Cache<String, ObjectNode> pdus = Caffeine.newBuilder().maximumSize(50_000).build();
    private final Cache<String, RoomVersion> versions = Caffeine.newBuilder().maximumSize(100_000).build();
    private final Cache<String, PersistedEvent> byId = Caffeine.newBuilder().maximumSize(50_000)
            .expireAfterWrite(java.time.Duration.ofMinutes(1)).build();

    public EventStore(EventRepository events, RoomRepository rooms) {
        this.events = events;
        this.rooms = rooms;
    }

    /** Forgets a purged room's version and the cached events and PDUs of that room. */
    public void roomPurged(String roomId) {
        versions.invalidate(roomId);
        String v12CreateId = "$" + roomId.substring(1); // a v12 create event has no room_id: the room ID is its own ID
        pdus.asMap().entrySet().removeIf(e -> roomId.equals(e.getValue().path("room_id").asText()) || e.getKey().equals(v12CreateId));
        byId.asMap().values().removeIf(event -> roomId.equals(event.roomId()));
    }

    public Optional<PersistedEvent> find(DSLContext tx, String eventId) {
        PersistedEvent cached = byId.getIfPresent(eventId);
        if (cached != null) return Optional.of(cached);
        return events.find(tx, eventId).map(r -> toEvent(tx, r));
    }

    /** Events by ID (cached ones without a query), in no particular order; unknown IDs are left out. */
    public java.util.List<PersistedEvent> findAll(DSLContext tx, java.util.Collection<String> eventIds) {
        java.util.List<PersistedEvent> out = new java.util.ArrayList<>();
        java.util.List<String> missing = new java.util.ArrayList<>();
        for (String id : eventIds) {
            PersistedEvent cached = byId.getIfPresent(id);
            if (cached != null) out.add(cached); else missing.add(id);
        }
        if (!missing.isEmpty()) events.findAll(tx, missing).forEach(r -> out.add(toEvent(tx, r)));
        return out;
    }

    /** Drops an event whose redaction just committed, so the next read sees it redacted. */
    public void forget(String eventId) {
        byId.invalidate(eventId);
    }

    /** The PDU of an event, parsed once. The returned node is shared: do not modify it. */
    public Optional<ObjectNode> pdu(DSLContext tx, String eventId) {
        ObjectNode cached = pdus.getIfPresent(eventId);
        if (cached != null) return Optional.of(cached);
        return events.findAny(tx, eventId).map(r -> parse(r.getEventId(), r.getPdu()));
    }

    public PersistedEvent toEvent(DSLContext tx, EventsRecord record) {
        // Outliers have no stream position: they sort before every timeline event.
        long ordering = record.getStreamOrdering() == null ? 0 : record.getStreamOrdering();
        PersistedEvent event = new PersistedEvent(record.getEventId(), record.getRoomId(), ordering,
                parse(record.getEventId(), record.getPdu()), version(tx, record.getRoomId()).orElseThrow(), record.getSenderDevice(),
                record.getTxnId(), record.getRedactedBy(), record.getReplacesState(), record.getStateGroupBefore(),
                parseInternal(record.getInternalMetadata()));
        byId.put(event.eventId(), event);
        return event;
    }

    private static ObjectNode parseInternal(String json) {
        if (json == null) return null;
        try {
            return Json.parse(json) instanceof ObjectNode object ? object : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The version of a room this server knows, or empty. */
    public Optional<RoomVersion> version(DSLContext tx, String roomId) {
        RoomVersion cached = versions.getIfPresent(roomId);
        if (cached != null) return Optional.of(cached);
        Optional<RoomVersion> found = rooms.find(tx, roomId).map(r -> RoomVersion.require(r.getRoomVersion()));
        found.ifPresent(v -> versions.put(roomId, v));
        return found;
    }

    /** Caches a PDU that was just written. */
    void remember(String eventId, ObjectNode pdu) {
        pdus.put(eventId, pdu);
    }

    private ObjectNode parse(String eventId, String text) {
        return pdus.get(eventId, id -> (ObjectNode) Json.parse(text));
    }
}
