package org.callhs.sticky;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.InboundPduGate;

/**
 * MSC4354 "Servers SHOULD rate limit sticky events over federation", option A: a {@code /send}
 * transaction carrying more sticky events for a room than its origin's budget in that room allows
 * is refused whole with 429 {@code M_LIMIT_EXCEEDED} and a retry delay, before any PDU is
 * processed, so nothing is stored and nothing lost: the origin sends the same transaction again
 * (Synapse and callhs both back off and retry on 429), as the MSC requires ("MUST NOT silently
 * drop sticky events and return 200 OK").
 *
 * <p>One token bucket per (origin, room): {@code per_second} tokens refill per second up to
 * {@code burst}; a transaction needs one per sticky PDU of the room. A transaction never needs
 * more than a full bucket (a transaction bigger than the burst passes once the bucket is full and
 * leaves it in debt), so a retry always passes eventually.
 */
final class StickyFederationRateLimit implements InboundPduGate {
    private final double perSecond;
    private final int burst;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    StickyFederationRateLimit(double perSecond, int burst, Clock clock) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.clock = clock;
    }

    private static final class Bucket {
        double tokens;
        long updatedMs;

        Bucket(double tokens, long updatedMs) {
            this.tokens = tokens;
            this.updatedMs = updatedMs;
        }
    }

    @Override
    public void admit(String origin, List<JsonNode> pdus) {
        Map<String, Integer> perRoom = new HashMap<>();
        for (JsonNode pdu : pdus) {
            if (pdu == null || !pdu.path("room_id").isTextual() || StickyDuration.effective(pdu).isEmpty()) continue;
            perRoom.merge(pdu.get("room_id").textValue(), 1, Integer::sum);
        }
        if (perRoom.isEmpty()) return;
        long now = clock.millis();
        synchronized (this) {
            long wait = 0;
            for (Map.Entry<String, Integer> room : perRoom.entrySet()) {
                Bucket bucket = refill(origin + "\n" + room.getKey(), now);
                double need = Math.min(room.getValue(), burst);
                if (bucket.tokens < need) wait = Math.max(wait, (long) Math.ceil((need - bucket.tokens) * 1000 / perSecond));
            }
            if (wait > 0) throw MatrixException.limitExceeded(wait);
            for (Map.Entry<String, Integer> room : perRoom.entrySet()) buckets.get(origin + "\n" + room.getKey()).tokens -= room.getValue();
            if (buckets.size() > 100_000) buckets.values().removeIf(b -> b.tokens >= burst && now - b.updatedMs > 60_000);
        }
    }

    private Bucket refill(String key, long now) {
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updatedMs) * perSecond / 1000);
        bucket.updatedMs = now;
        return bucket;
    }
}
