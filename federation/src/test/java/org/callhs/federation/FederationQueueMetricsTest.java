package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The outbound queue's meters: items per destination, refreshed from the outbox, and transactions by outcome. */
class FederationQueueMetricsTest {
    @Test
    void queuesPerDestinationFollowTheOutboxAndTransactionsAreCounted() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicReference<Map<String, Integer>> outbox = new AtomicReference<>(Map.of("a.example", 3, "b.example", 1));
        try (FederationQueueMetrics metrics = new FederationQueueMetrics(meters, true, outbox::get)) {
            long deadline = System.currentTimeMillis() + 5_000;
            while (meters.find("callhs.federation.queue").tag("destination", "a.example").gauge() == null
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(meters.get("callhs.federation.queue").tag("destination", "a.example").gauge().value()).isEqualTo(3);
            assertThat(meters.get("callhs.federation.queue").tag("destination", "b.example").gauge().value()).isEqualTo(1);
            metrics.transaction("a.example", "sent");
            metrics.transaction("a.example", "sent");
            metrics.transaction("a.example", "failed");
            metrics.transaction("b.example", "refused");
            assertThat(meters.get("callhs.federation.transactions").tags("destination", "a.example", "outcome", "sent").counter().count())
                    .isEqualTo(2);
            assertThat(meters.get("callhs.federation.transactions").tags("destination", "a.example", "outcome", "failed").counter().count())
                    .isEqualTo(1);
            assertThat(meters.get("callhs.federation.transactions").tags("destination", "b.example", "outcome", "refused").counter().count())
                    .isEqualTo(1);
        }
    }

    @Test
    void offItReadsNothing() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (FederationQueueMetrics metrics = new FederationQueueMetrics(meters, false, () -> {
            throw new AssertionError("the outbox is not read while metrics are off");
        })) {
            Thread.sleep(100);
            Gauge gauge = meters.find("callhs.federation.queue").gauge();
            assertThat(gauge).isNull();
        }
    }
}
