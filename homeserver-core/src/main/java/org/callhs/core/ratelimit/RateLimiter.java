package org.callhs.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.callhs.core.error.MatrixException;

/**
 * Token-bucket rate limiting per (class, key); the key is the user ID for authenticated
 * requests and the client address otherwise. Buckets idle for ten minutes are forgotten
 * (a full bucket behaves the same as a new one). Over the limit: 429 {@code M_LIMIT_EXCEEDED}
 * with {@code retry_after_ms} and {@code Retry-After}.
 */
public final class RateLimiter implements org.callhs.core.spi.RateLimits {
    /** Rate and burst of one class: {@code perSecond} tokens refill per second, up to {@code burst}. */
    public record Limit(double perSecond, int burst) {}

    private final boolean enabled;
    private final Map<String, Limit> limits;
    private final LongSupplier nanoClock;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    private final Map<String, io.micrometer.core.instrument.Counter> refusals = new java.util.concurrent.ConcurrentHashMap<>();
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(1_000_000)
            .build();

    public RateLimiter(boolean enabled, Map<String, Limit> limits, LongSupplier nanoClock) {
        this(enabled, limits, nanoClock, org.callhs.core.metrics.Metrics.off().registry());
    }

    /** @param meters counts refusals per class ({@code callhs_rate_limited_total}) */
    public RateLimiter(boolean enabled, Map<String, Limit> limits, LongSupplier nanoClock, io.micrometer.core.instrument.MeterRegistry meters) {
        this.meters = meters;
        this.enabled = enabled;
        this.limits = new java.util.concurrent.ConcurrentHashMap<>(limits);
        this.nanoClock = nanoClock;
    }

    @Override
    public void define(String limitClass, double perSecond, int burst) {
        limits.put(limitClass, new Limit(perSecond, burst));
    }

    /** Takes one token for {@code key} in {@code limitClass}, or throws 429. Unknown classes are not limited. */
    @Override
    public void acquire(String limitClass, String key) {
        if (!enabled || limitClass == null) return;
        Limit limit = limits.get(limitClass);
        if (limit == null) return;
        Bucket bucket = buckets.get(limitClass + '\u0000' + key, k -> new Bucket(limit.burst(), nanoClock.getAsLong()));
        long waitNanos = bucket.take(limit, nanoClock.getAsLong());
        if (waitNanos > 0) {
            refusals.computeIfAbsent(limitClass, c -> io.micrometer.core.instrument.Counter.builder("callhs.rate_limited")
                    .description("Requests refused with 429, by rate-limit class").tag("class", c).register(meters)).increment();
            throw MatrixException.limitExceeded(Math.max(1, waitNanos / 1_000_000));
        }
    }

    private static final class Bucket {
        private double tokens;
        private long lastRefill;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastRefill = now;
        }

        /** Takes a token and returns 0, or returns how long until one is available. */
        synchronized long take(Limit limit, long now) {
            double elapsedSeconds = (now - lastRefill) / 1e9;
            tokens = Math.min(limit.burst(), tokens + elapsedSeconds * limit.perSecond());
            lastRefill = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            if (limit.perSecond() <= 0) return Long.MAX_VALUE / 4;
            return (long) Math.ceil((1 - tokens) / limit.perSecond() * 1e9);
        }
    }
}
