package org.callhs.delayed;

import static org.assertj.core.api.Assertions.assertThat;

import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The module's meters on the metrics listener: scheduled, restarted, pending, sent on timeout and how late. */
@ParameterizedClass
@EnumSource(Backend.class)
class DelayedEventMetricsTest extends DelayedEventsSuite {
    @BeforeParameterizedClassInvocation
    static void startServer(Backend backend) {
        start(backend, "metrics.listen=\"127.0.0.1:0\"");
    }

    private static double sample(String name, String... labels) {
        return TestServer.sample(server.metrics(), name, labels);
    }

    @Test
    void schedulingRestartingAndFiringAreCounted() {
        String alice = server.registerToken("metric-alice");
        String roomId = room(alice);
        String delayId = delayState(alice, roomId, TYPE, "metered", 1_000, "{\"n\":1}");
        assertThat(sample("callhs_delayed_events_scheduled_total")).isEqualTo(1);
        assertThat(sample("callhs_delayed_events_pending")).isEqualTo(1);
        assertThat(action(delayId, "restart", alice).status()).isEqualTo(200);
        assertThat(sample("callhs_delayed_events_restarts_total")).isEqualTo(1);
        eventually("the event is sent", () -> state(alice, roomId, TYPE, "metered").status() == 200);
        eventually("the send is counted", () -> sample("callhs_delayed_events_fired_total", "outcome=\"sent\"") == 1);
        assertThat(sample("callhs_delayed_events_pending")).isZero();
        assertThat(sample("callhs_delayed_events_lateness_seconds_count")).isEqualTo(1);
        assertThat(sample("callhs_delayed_events_lateness_seconds_bucket", "le=\"10.0\"")).isEqualTo(1);
        assertThat(sample("callhs_delayed_events_fired_total", "outcome=\"refused\"")).isZero();
    }
}
