package org.callhs.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.callhs.core.error.MatrixException;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void burstThenRefillPerKey() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(true, Map.of("login", new RateLimiter.Limit(1, 2)), now::get);
        limiter.acquire("login", "a");
        limiter.acquire("login", "a");
        assertThatThrownBy(() -> limiter.acquire("login", "a")).isInstanceOfSatisfying(MatrixException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat((Long) e.extra().get("retry_after_ms")).isBetween(900L, 1000L);
            assertThat(e.headers()).containsEntry("Retry-After", "1");
        });
        limiter.acquire("login", "b");
        now.addAndGet(1_000_000_000L);
        limiter.acquire("login", "a");
        limiter.acquire("other-class", "a");
    }

    @Test
    void disabledLimiterNeverLimits() {
        RateLimiter limiter = new RateLimiter(false, Map.of("login", new RateLimiter.Limit(0, 1)), () -> 0);
        for (int i = 0; i < 10; i++) limiter.acquire("login", "a");
    }
}
