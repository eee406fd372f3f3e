package org.callhs.federation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound queue per destination: items waiting ({@code callhs_federation_queue}, read from
 * the outbox every {@link #REFRESH_SECONDS} s while metrics are on) and transactions by outcome
 * ({@code callhs_federation_transactions_total}: {@code sent}, {@code refused} (400/413),
 * {@code failed} (no answer or another error: backed off)).
 */
final class FederationQueueMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FederationQueueMetrics.class);
    static final int REFRESH_SECONDS = 15;

    private final MeterRegistry meters;
    private final Map<String, Counter> transactions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher;

    /** @param queued items per destination, read at each refresh; {@code enabled}: false makes this do nothing */
    FederationQueueMetrics(MeterRegistry meters, boolean enabled, Supplier<Map<String, Integer>> queued) {
        this.meters = meters;
        if (!enabled) {
            refresher = null;
            return;
        }
        MultiGauge queue = MultiGauge.builder("callhs.federation.queue").description("Items (PDUs and EDUs) waiting per destination")
                .register(meters);
        refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("federation-queue-metrics").factory());
        refresher.scheduleWithFixedDelay(() -> {
            try {
                queue.register(queued.get().entrySet().stream()
                        .map(e -> MultiGauge.Row.of(Tags.of("destination", e.getKey()), e.getValue())).toList(), true);
            } catch (RuntimeException e) {
                log.debug("could not read the outbox for the metrics: {}", e.toString());
            }
        }, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
    }

    void transaction(String destination, String outcome) {
        transactions.computeIfAbsent(destination + ' ' + outcome, k -> Counter.builder("callhs.federation.transactions")
                .description("Transactions sent to other servers, by destination and outcome")
                .tags("destination", destination, "outcome", outcome).register(meters)).increment();
    }

    @Override
    public void close() {
        if (refresher != null) refresher.shutdownNow();
    }
}
