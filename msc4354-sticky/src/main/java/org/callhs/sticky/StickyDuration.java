package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * When an event is sticky (MSC4354): its top-level {@code msc4354_sticky} is an object whose
 * {@code duration_ms} is a non-negative JSON integer. Anything else leaves the event an ordinary
 * event. Stickiness lasts {@code min(duration_ms, 1 h)} from the earlier of {@code origin_server_ts}
 * and the time the server received the event (a future timestamp does not extend it).
 */
final class StickyDuration {
    static final String PDU_KEY = "msc4354_sticky";
    static final String DURATION = "duration_ms";
    static final long MAX_EFFECTIVE_MS = 3_600_000L;

    private StickyDuration() {}

    /** The effective duration of a sticky PDU, capped at one hour; empty when the PDU is not sticky. */
    static OptionalLong effective(JsonNode pdu) {
        JsonNode duration = pdu.path(PDU_KEY).path(DURATION);
        if (!pdu.path(PDU_KEY).isObject() || !duration.isIntegralNumber()) return OptionalLong.empty();
        if (!duration.canConvertToLong()) {
            return duration.bigIntegerValue().signum() < 0 ? OptionalLong.empty() : OptionalLong.of(MAX_EFFECTIVE_MS);
        }
        long value = duration.longValue();
        return value < 0 ? OptionalLong.empty() : OptionalLong.of(Math.min(value, MAX_EFFECTIVE_MS));
    }

    /** When a sticky PDU stops being sticky, given when the server received it; empty when not sticky. */
    static OptionalLong expiry(JsonNode pdu, long receivedTs) {
        OptionalLong effective = effective(pdu);
        if (effective.isEmpty()) return effective;
        long start = Math.min(pdu.path("origin_server_ts").asLong(receivedTs), receivedTs);
        return OptionalLong.of(start + effective.getAsLong());
    }
}
