package org.callhs.sticky;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.error.MatrixException;
import org.callhs.core.room.EventDraft;
import org.callhs.core.spi.DraftDecorator;

/**
 * {@code ?org.matrix.msc4354.sticky_duration_ms=N} on {@code PUT/POST /rooms/{roomId}/send/...} and
 * {@code PUT /rooms/{roomId}/state/...}: puts {@code msc4354_sticky: {"duration_ms": N}} at the top
 * level of the PDU, where the content hash covers it and redaction removes it. Decorators run
 * before MSC4140 intercepts a delayed send, so a delayed event keeps the key and is sticky when it
 * is sent.
 *
 * <p>N must be an integer from 0 up to 2^53 - 1 (the largest integer canonical JSON carries), else
 * 400 {@code M_INVALID_PARAM}; values over one hour are kept as sent and count as one hour, as in
 * Synapse. Like Synapse, a sticky {@code m.room.member} state event is sent without the key.
 *
 * <p>MSC4354 (branch kegan/persist-edu), "Sending sticky events".
 */
final class StickyDurationParameter implements DraftDecorator {
    static final String NAME = "org.matrix.msc4354.sticky_duration_ms";
    private static final long MAX_JSON_INTEGER = (1L << 53) - 1;

    @Override
    public EventDraft decorate(EventDraft draft, ApiRequest request) {
        Optional<String> raw = request.query(NAME);
        if (raw.isEmpty()) return draft;
        long duration = parse(raw.get());
        if (draft.isState() && draft.type().equals("m.room.member")) return draft;
        ObjectNode keys = draft.extraKeys().deepCopy();
        keys.putObject(StickyDuration.PDU_KEY).put(StickyDuration.DURATION, duration);
        return draft.withExtraKeys(keys);
    }

    static long parse(String value) {
        long duration;
        try {
            duration = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Query parameter '" + NAME + "' must be an integer");
        }
        if (duration < 0) throw MatrixException.invalidParam("Query parameter '" + NAME + "' must not be negative");
        if (duration > MAX_JSON_INTEGER) {
            throw MatrixException.invalidParam("Query parameter '" + NAME + "' must be at most " + MAX_JSON_INTEGER);
        }
        return duration;
    }
}
