package org.callhs.core.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests of one listener, as the timer {@code callhs_http_requests_seconds} tagged with the
 * listener, the method, the endpoint's route (its path template, {@code unmatched} for paths no
 * endpoint serves, so the number of series stays bounded) and the status. Buckets from 5 ms to
 * 60 s: long-polls last up to their timeout and land in the top ones. With metrics off
 * ({@link #off()}) nothing is done per request.
 */
public final class HttpMetrics {
    public static final String UNMATCHED = "unmatched";
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final String listener;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public HttpMetrics(MeterRegistry registry, String listener) {
        this.registry = registry;
        this.listener = listener;
    }

    /** Records nothing: the request path does no work for metrics nobody reads. */
    public static HttpMetrics off() {
        return new HttpMetrics(null, null);
    }

    public void record(String method, String route, int status, long nanos) {
        if (registry == null) return;
        String key = method + ' ' + route + ' ' + status;
        timers.computeIfAbsent(key, k -> Timer.builder("callhs.http.requests")
                        .description("Client-Server and federation requests, by endpoint")
                        .tags("listener", listener, "method", method, "endpoint", route, "status", Integer.toString(status))
                        .serviceLevelObjectives(BUCKETS)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
