package org.callhs.sticky;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The module's meters on the metrics listener: the index of sticky events and their expiries. */
@ParameterizedClass
@EnumSource(Backend.class)
class StickyMetricsTest extends StickyEventsSuite {
    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "metrics.listen=\"127.0.0.1:0\"", "sticky_events.cleanup_interval_ms=1000");
    }

    private static double sample(String name) {
        return TestServer.sample(server.metrics(), name);
    }

    @Test
    void theIndexSizeAndTheExpiriesAreCounted() throws Exception {
        String alice = server.registerToken("metric-alice");
        String roomId = room(alice);
        double before = sample("callhs_sticky_events_index_size");
        double expiredBefore = sample("callhs_sticky_events_expired_total");
        sendSticky(alice, roomId, 60_000, "one");
        sendSticky(alice, roomId, 60_000, "two");
        assertThat(sample("callhs_sticky_events_index_size")).isEqualTo(before + 2);
        clock.advance(61_000);
        long deadline = System.currentTimeMillis() + 10_000;
        while (sample("callhs_sticky_events_index_size") > before && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertThat(sample("callhs_sticky_events_index_size")).isEqualTo(before);
        assertThat(sample("callhs_sticky_events_expired_total")).isEqualTo(expiredBefore + 2);
    }
}
