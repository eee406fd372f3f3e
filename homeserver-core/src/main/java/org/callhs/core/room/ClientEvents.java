package org.callhs.core.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.callhs.core.auth.Requester;
import org.callhs.core.event.Redaction;
import org.callhs.core.spi.UnsignedContributor;

/**
 * Turns stored events into the client format (Client-Server API "ClientEvent"): federation
 * fields dropped, {@code event_id} and {@code room_id} added, redacted events served redacted,
 * and an {@code unsigned} object on every event ({@code age}, {@code transaction_id} for the
 * sending device, {@code redacted_because}, {@code prev_content} and {@code replaces_state} for
 * state events that replaced another, {@code membership}: the requesting user's membership in
 * the room at the event (spec v1.11), {@code m.relations}: the bundled aggregations
 * ({@link BundledAggregations}; events bundled inside another get their own, one level deep),
 * plus whatever modules contribute). Unknown
 * top-level keys (e.g. {@code msc4354_sticky}) are kept.
 */
public final class ClientEvents {
    private static final Set<String> FEDERATION_ONLY = Set.of("auth_events", "prev_events", "depth", "hashes", "signatures",
            "origin", "prev_state", "membership", "unsigned");

    private final Clock clock;
    private final List<UnsignedContributor> contributors;
    private final java.util.function.Function<String, java.util.Optional<PersistedEvent>> events;
    private final java.util.function.BiFunction<PersistedEvent, String, String> membershipAt;
    private final BundledAggregations aggregations;

    /** @param membershipAt a user's membership in an event's room at that event ({@link RoomReader#membershipAt}) */
    public ClientEvents(Clock clock, List<UnsignedContributor> contributors,
                        java.util.function.Function<String, java.util.Optional<PersistedEvent>> events,
                        java.util.function.BiFunction<PersistedEvent, String, String> membershipAt,
                        BundledAggregations aggregations) {
        this.aggregations = aggregations;
        this.clock = clock;
        this.contributors = contributors;
        this.events = events;
        this.membershipAt = membershipAt;
    }

    public ObjectNode render(PersistedEvent event, Requester requester) {
        return render(event, requester, 0);
    }

    /** {@code depth}: how deep inside other events' bundles this one is (bundles stop at 2). */
    private ObjectNode render(PersistedEvent event, Requester requester, int depth) {
        long now = clock.millis();
        JsonNode source = event.redactedBy() == null ? event.pdu() : Redaction.redact(event.pdu(), event.version());
        ObjectNode out = ((ObjectNode) source).objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!FEDERATION_ONLY.contains(field.getKey())) out.set(field.getKey(), field.getValue().deepCopy());
        }
        out.put("event_id", event.eventId());
        out.put("room_id", event.roomId());
        ObjectNode unsigned = out.putObject("unsigned");
        unsigned.put("age", Math.max(0, now - event.originServerTs()));
        if (requester != null && event.txnId() != null && requester.userId().equals(event.sender())
                && requester.deviceId().equals(event.senderDevice())) {
            unsigned.put("transaction_id", event.txnId());
        }
        if (event.redactedBy() != null) {
            // The whole redaction event, as the spec's UnsignedData asks (clients show who redacted and why).
            ObjectNode because = events.apply(event.redactedBy()).filter(r -> r.redactedBy() == null)
                    .map(r -> render(r, requester, 2)).orElseGet(() -> out.objectNode().put("event_id", event.redactedBy()));
            unsigned.set("redacted_because", because);
        }
        if (event.replacesState() != null) {
            unsigned.put("replaces_state", event.replacesState());
            events.apply(event.replacesState()).ifPresent(previous -> {
                JsonNode previousPdu = previous.redactedBy() == null ? previous.pdu() : Redaction.redact(previous.pdu(), previous.version());
                unsigned.set("prev_content", previousPdu.path("content").deepCopy());
                unsigned.put("prev_sender", previous.sender());
            });
        }
        if (requester != null && requester.userId() != null) unsigned.put("membership", membershipAt.apply(event, requester.userId()));
        if (depth < 2) {
            ObjectNode relations = aggregations.bundle(event, requester, bundled -> render(bundled, requester, depth + 1));
            if (relations != null) unsigned.set("m.relations", relations);
        }
        for (UnsignedContributor contributor : contributors) contributor.contribute(event, requester, now, unsigned);
        return out;
    }
}
