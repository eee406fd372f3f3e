package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsParsingTest {

    @Test
    void parsesDurations() {
        assertThat(DurationConverter.parse("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationConverter.parse("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> DurationConverter.parse("soon")).isInstanceOf(RuntimeException.class);
    }

    @Test
    void acceptsLoopbackTargetsOnly() {
        LoopbackTarget v4 = LoopbackTarget.parse("http://127.0.0.1:8008/");
        assertThat(v4.port()).isEqualTo(8008);
        assertThat(v4.pathPrefix()).isEmpty();
        assertThat(v4.hostHeader()).isEqualTo("127.0.0.1:8008");
        assertThat(LoopbackTarget.parse("http://[::1]:9000").hostHeader()).isEqualTo("[::1]:9000");
        assertThat(LoopbackTarget.parse("http://LOCALHOST:1/prefix/").pathPrefix()).isEqualTo("/prefix");

        assertThatThrownBy(() -> LoopbackTarget.parse("http://example.com:8008")).hasMessageContaining("non-loopback");
        assertThatThrownBy(() -> LoopbackTarget.parse("http://10.0.0.1:8008")).hasMessageContaining("non-loopback");
        assertThatThrownBy(() -> LoopbackTarget.parse("http://127.0.0.2:8008")).hasMessageContaining("non-loopback");
        assertThatThrownBy(() -> LoopbackTarget.parse("https://127.0.0.1:8448")).hasMessageContaining("http://");
    }

    @Test
    void openLoopTimetableIsEvenlyStaggered() {
        OpenLoopDriver driver = new OpenLoopDriver(100, 4); // 25/s per user: every 40 ms, offsets of 10 ms
        RunWindow window = new RunWindow(0, 0, 1_000_000_000L);
        assertThat(driver.scheduledStart(window, 0, 0)).isEqualTo(0);
        assertThat(driver.scheduledStart(window, 1, 0)).isEqualTo(10_000_000L);
        assertThat(driver.scheduledStart(window, 3, 0)).isEqualTo(30_000_000L);
        assertThat(driver.scheduledStart(window, 0, 1)).isEqualTo(40_000_000L);
        assertThat(driver.scheduledStart(window, 2, 24)).isEqualTo(980_000_000L);
    }

    @Test
    void parsesProcStatCpuTimes() {
        String stat = "1234 (python3 -m syn) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 5 0 12345 1000 100";
        assertThat(ProcFs.parseCpuNanos(stat)).isEqualTo(300 * 10_000_000L);
    }
}
