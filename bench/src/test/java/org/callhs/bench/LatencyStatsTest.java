package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencyStatsTest {

    private static LatencyStats oneToN(int n) {
        SampleBuffer buffer = new SampleBuffer(2);
        for (int i = n; i >= 1; i--) { // unsorted on purpose
            buffer.add(i);
        }
        return LatencyStats.of(buffer);
    }

    @Test
    void nearestRankPercentilesOfOneToThousand() {
        LatencyStats stats = oneToN(1000);
        assertThat(stats.count()).isEqualTo(1000);
        assertThat(stats.percentileNanos(50)).isEqualTo(500);
        assertThat(stats.percentileNanos(90)).isEqualTo(900);
        assertThat(stats.percentileNanos(99)).isEqualTo(990);
        assertThat(stats.percentileNanos(99.9)).isEqualTo(999);
        assertThat(stats.percentileNanos(100)).isEqualTo(1000);
        assertThat(stats.maxNanos()).isEqualTo(1000);
        assertThat(stats.minNanos()).isEqualTo(1);
        assertThat(stats.percentileNanos(0)).isEqualTo(1);
        assertThat(stats.meanNanos()).isEqualTo(500.5);
    }

    @Test
    void percentileIsTheSmallestValueCoveringTheFraction() {
        // 10 samples: p50 -> rank 5, p90 -> rank 9, p99 -> rank ceil(9.9) = 10, p95 -> rank ceil(9.5) = 10
        LatencyStats stats = LatencyStats.ofSorted(new long[] {10, 20, 30, 40, 50, 60, 70, 80, 90, 1000});
        assertThat(stats.percentileNanos(50)).isEqualTo(50);
        assertThat(stats.percentileNanos(51)).isEqualTo(60);
        assertThat(stats.percentileNanos(90)).isEqualTo(90);
        assertThat(stats.percentileNanos(95)).isEqualTo(1000);
        assertThat(stats.percentileNanos(99)).isEqualTo(1000);
        assertThat(stats.percentileNanos(10)).isEqualTo(10);
        assertThat(stats.percentileNanos(10.5)).isEqualTo(20);
    }

    @Test
    void singleSampleIsEveryPercentile() {
        LatencyStats stats = LatencyStats.ofSorted(new long[] {42});
        assertThat(stats.percentileNanos(0)).isEqualTo(42);
        assertThat(stats.percentileNanos(50)).isEqualTo(42);
        assertThat(stats.percentileNanos(99.9)).isEqualTo(42);
        assertThat(stats.maxNanos()).isEqualTo(42);
    }

    @Test
    void emptyGivesZeros() {
        LatencyStats stats = LatencyStats.of(new SampleBuffer());
        assertThat(stats.count()).isZero();
        assertThat(stats.percentileNanos(99)).isZero();
        assertThat(stats.maxNanos()).isZero();
        assertThat(stats.meanNanos()).isZero();
    }

    @Test
    void rejectsUnsortedInputAndBadPercentiles() {
        assertThatThrownBy(() -> LatencyStats.ofSorted(new long[] {2, 1})).isInstanceOf(IllegalArgumentException.class);
        LatencyStats stats = oneToN(10);
        assertThatThrownBy(() -> stats.percentileNanos(100.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> stats.percentileNanos(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mergedSeriesSumsSamplesAndErrors() {
        UserRecorder a = new UserRecorder(java.util.List.of("s"));
        UserRecorder b = new UserRecorder(java.util.List.of("s"));
        for (int i = 1; i <= 600; i++) {
            a.recordLatency("s", i);
        }
        for (int i = 601; i <= 1000; i++) {
            b.recordLatency("s", i);
        }
        a.recordError("s", "401 M_UNKNOWN_TOKEN");
        b.recordError("s", "401 M_UNKNOWN_TOKEN");
        b.recordError("s", "io ConnectException");
        SeriesResult merged = SeriesResult.merge("s", java.util.List.of(a, b));
        assertThat(merged.stats().count()).isEqualTo(1000);
        assertThat(merged.stats().percentileNanos(99)).isEqualTo(990);
        assertThat(merged.errors()).containsEntry("401 M_UNKNOWN_TOKEN", 2L).containsEntry("io ConnectException", 1L);
        assertThat(merged.errorCount()).isEqualTo(3);
    }
}
