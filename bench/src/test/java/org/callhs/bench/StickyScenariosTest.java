package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StickyScenariosTest {

    @Test
    void syncBatchReadsBodiesFromTheStickySectionToo() throws Exception {
        SyncBatch batch = SyncBatch.parse("""
                {"next_batch":"t1","rooms":{"join":{"!a:hs":{
                  "timeline":{"events":[{"type":"org.matrix.msc4143.rtc.member","content":{"body":"in-timeline"}}]},
                  "msc4354_sticky":{"events":[{"type":"org.matrix.msc4143.rtc.member","content":{"body":"in-sticky"}}]}}}}}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(batch.bodies()).containsExactly("in-timeline", "in-sticky");
    }

    @Test
    void stickyScenariosAreKnownAndCheckTheirUsers() {
        assertThat(Scenario.names()).contains("sticky-fanout", "sticky-initial-sync", "call-shape");
        assertThat(Scenario.named("sticky-fanout", "run", 3).driver(2, 3)).isInstanceOf(FanOutDriver.class);
        assertThat(Scenario.named("sticky-initial-sync", "run", 4).driver(0, 4)).isInstanceOf(ClosedLoopDriver.class);
        ScenarioOptions ten = new ScenarioOptions(0, 0, 10, null);
        assertThatThrownBy(() -> Scenario.named("call-shape", "run", 19, ten))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 x participants");
        Scenario call = Scenario.named("call-shape", "run", 20, ten);
        assertThat(call.longestRequest()).isEqualTo(Duration.ofMillis(LongPoller.TIMEOUT_MS));
        assertThat(call.figures()).containsEntry("participants", 10).containsEntry("membershipsExpected", 100L);
        assertThatThrownBy(() -> Scenario.named("call-shape", "run", 20, new ScenarioOptions(0, 0, 10, Duration.ofSeconds(5))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--delay");
    }
}
