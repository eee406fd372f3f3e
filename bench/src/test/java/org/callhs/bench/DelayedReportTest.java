package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DelayedReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void showsEveryScenarioForEachServerAndTheRatioOfTheFirstTwo() throws Exception {
        ScenarioRuns sqlite = new ScenarioRuns("callhs-sqlite", Map.of("status", "ok", "hwm_kib", "204800"), Map.of(
                "heartbeats", JSON.readTree("""
                        {"series":[{"name":"restart","count":300000,"throughput":10000.0,
                                    "latencyMs":{"p50":5.0,"p99":40.0,"max":80.0},"errorCount":0,"errors":{}}],
                         "figures":{"setupSchedulesPerSecond":2000.0},
                         "server":{"cpuMicrosPerIteration":100.0,"cpuCores":1.0,"rssKiBAtEnd":102400},"generator":{"cpuCores":0.4}}"""),
                "mass-expiry", JSON.readTree("""
                        {"series":[{"name":"lateness","count":1000,"latencyMs":{"p50":300.0,"p99":900.0,"max":950.0},
                                    "errorCount":0,"errors":{}}],
                         "figures":{"seenWithinOneSecond":1000,"missing":0,"early":0,"schedulingSeconds":1.5}}"""),
                "matrixrtc", JSON.readTree("""
                        {"series":[{"name":"restart","count":36000,"throughput":400.0,"latencyMs":{"p50":2.0},"errorCount":0,"errors":{}},
                                   {"name":"leave-lateness","count":150,"latencyMs":{"p99":20.0},"errorCount":1,"errors":{"missing":1}}],
                         "figures":{"kills":151,"missing":1,"early":0,"liveLeaves":0}}""")));
        ScenarioRuns synapse = new ScenarioRuns("synapse", Map.of("status", "ok"), Map.of(
                "heartbeats", JSON.readTree("""
                        {"series":[{"name":"restart","count":60000,"throughput":2000.0,"latencyMs":{"p50":30.0},"errorCount":3,
                                    "errors":{"429 M_LIMIT_EXCEEDED":3}}]}"""),
                "mass-expiry", JSON.readTree("""
                        {"series":[{"name":"lateness","count":0,"latencyMs":{"max":0.0},"errorCount":1000,"errors":{"missing":1000}}],
                         "figures":{"missing":1000}}""")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScenarioReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of("date", "today"),
                Map.of("heartbeat_events", "100000", "heartbeat_accounts", "100", "heartbeat_workers", "64",
                        "rtc_participants", "2000", "rtc_delay", "8s"),
                List.of(sqlite, synapse, new ScenarioRuns("callhs-pg", Map.of("status", "PostgreSQL did not start"), Map.of())),
                new DelayedReport());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains(
                "heartbeats: 100000 delayed events (delay 1 h) of 100 accounts, 64 connections",
                "matrixrtc: 2000 participants (10 devices per account, rooms of 100), each restarting its delayed leave (delay 8s) every 5000 ms",
                "| figure | callhs-sqlite | synapse | callhs-pg | callhs-sqlite ÷ synapse |",
                "| heartbeats throughput (restarts/s) ↑ | 10000 | 2000 | n/a | 5.00 |",
                "| heartbeats restart p99 (ms) ↓ | 40.00 | n/a | n/a | n/a |",
                "| heartbeats errors (non-200) ↓ | 0 | 3 | n/a | 0.00 |",
                "| heartbeats setup: schedules/s ↑ | 2000 | n/a | n/a | n/a |",
                "| mass-expiry events seen within 1 s of T ↑ | 1000 | n/a | n/a | n/a |",
                "| mass-expiry T to seen in /sync max (ms) ↓ | 950.00 | n/a | n/a | n/a |",
                "| mass-expiry scheduling burst (s) ↓ | 1.50 | n/a | n/a | n/a |",
                "| mass-expiry missing (must be 0) ↓ | 0 | 1000 | n/a | 0.00 |",
                "| matrixrtc restarts/s held ↑ | 400 | n/a | n/a | n/a |",
                "| matrixrtc leave lateness p99 (ms) ↓ | 20.00 | n/a | n/a | n/a |",
                "| matrixrtc missing (must be 0) ↓ | 1 | n/a | n/a | n/a |",
                "| punctuality fired early (must be 0) ↓ | n/a | n/a | n/a | n/a |",
                "| matrixrtc restart from its scheduled start p50 (ms) ↓ | 2.00 | n/a | n/a | n/a |",
                "| peak RSS over the run, VmHWM (MiB) ↓ | 200.0 | n/a | n/a | n/a |",
                "- synapse heartbeats errors: {restart 429 M_LIMIT_EXCEEDED=3}",
                "- callhs-pg: PostgreSQL did not start");
    }
}
