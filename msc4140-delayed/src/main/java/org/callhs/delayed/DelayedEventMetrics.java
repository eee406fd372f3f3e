package org.callhs.delayed;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The module's meters: events scheduled, restarts, sends on timeout (sent or refused) and how late
 * each was written after its due time, and how many are scheduled now.
 */
final class DelayedEventMetrics {
    private static final Duration[] LATENESS_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final Counter scheduled;
    private final Counter restarted;
    private final Counter sent;
    private final Counter refused;
    private final Timer lateness;

    /** @param pending counts the events scheduled now (read at each scrape) */
    DelayedEventMetrics(MeterRegistry meters, Supplier<Number> pending) {
        scheduled = Counter.builder("callhs.delayed_events.scheduled").description("Delayed events scheduled").register(meters);
        restarted = Counter.builder("callhs.delayed_events.restarts").description("Delayed events' timers restarted").register(meters);
        sent = Counter.builder("callhs.delayed_events.fired").description("Delayed events sent on timeout, or refused then")
                .tag("outcome", "sent").register(meters);
        refused = Counter.builder("callhs.delayed_events.fired").description("Delayed events sent on timeout, or refused then")
                .tag("outcome", "refused").register(meters);
        lateness = Timer.builder("callhs.delayed_events.lateness")
                .description("Time from a delayed event's due time to its send on timeout being written")
                .serviceLevelObjectives(LATENESS_BUCKETS).register(meters);
        Gauge.builder("callhs.delayed_events.pending", pending).description("Delayed events scheduled now").register(meters);
    }

    void scheduled() { scheduled.increment(); }

    void restarted(int count) { restarted.increment(count); }

    void sent(long latenessMs) {
        sent.increment();
        lateness.record(Math.max(0, latenessMs), TimeUnit.MILLISECONDS);
    }

    void refused() { refused.increment(); }
}
