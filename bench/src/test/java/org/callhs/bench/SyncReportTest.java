package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyncReportTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String report(ScenarioRuns... servers) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScenarioReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of("date", "today", "CPU", "a|b"),
                Map.of("delivery_members", "100", "delivery_rate", "5", "delivery_warmup", "10s", "delivery_duration", "30s",
                        "idle_clients", "1000"),
                List.of(servers), new SyncReport());
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void showsDeliveryFiguresOfBothServersAndTheirRatio() throws Exception {
        ScenarioRuns callhs = new ScenarioRuns("callhs", Map.of("status", "ok", "hwm_kib", "409600"), Map.of(
                "delivery-latency", JSON.readTree("""
                        {"series":[{"name":"delivery","count":15000,"latencyMs":{"p50":4.0,"p99":20.0,"max":40.0},"errorCount":0,"errors":{}},
                                   {"name":"all-delivered","count":150,"latencyMs":{"p50":10.0,"p99":30.0,"max":40.0},"errorCount":0,"errors":{}},
                                   {"name":"send","count":150,"latencyMs":{"p50":3.0,"p99":9.0},"errorCount":0,"errors":{}}],
                         "server":{"cpuMicrosPerIteration":50.0,"cpuCores":0.25,"rssKiBAtEnd":204800},"generator":{"cpuCores":0.1}}"""),
                "initial-sync", JSON.readTree("""
                        {"series":[{"name":"initialSync","count":100,"throughput":20.0,"latencyMs":{"p50":100.0},"errorCount":0,"errors":{}}],
                         "figures":{"responseBytesMean":204800.0,"joinedRooms":100},"server":{"cpuMicrosPerIteration":50000.0}}""")));
        ScenarioRuns synapse = new ScenarioRuns("synapse", Map.of("status", "ok"), Map.of(
                "delivery-latency", JSON.readTree("""
                        {"series":[{"name":"delivery","count":14990,"latencyMs":{"p50":40.0,"p99":200.0,"max":400.0},"errorCount":10,
                                    "errors":{"missing":10}},
                                   {"name":"poll","count":3,"errorCount":2,"errors":{"io SocketTimeoutException":2}}]}""")));
        assertThat(report(callhs, synapse)).contains(
                "| CPU | a\\|b |",
                "delivery-latency: 100 members of one room long-polling, one sender at 5 messages/s (open loop), warm-up 10s, measured 30s.",
                "| delivery-latency deliveries (message × member) ↑ | 15000 | 14990 | 1.00 |",
                "| delivery-latency missing deliveries (must be 0) ↓ | 0 | 10 | 0.00 |",
                "| delivery-latency send to member's sync p99 (ms) ↓ | 20.00 | 200.00 | 0.10 |",
                "| delivery-latency send to all members' syncs max (ms) ↓ | 40.00 | n/a | n/a |",
                "| delivery-latency server CPU per delivery (µs) ↓ | 50 | n/a | n/a |",
                "| initial-sync throughput (syncs/s) ↑ | 20.0 | n/a | n/a |",
                "| initial-sync response size (KiB) ↓ | 200.0 | n/a | n/a |",
                "| initial-sync server CPU per sync (ms) ↓ | 50.0 | n/a | n/a |",
                "| to-device-burst bursts sent ↑ | n/a | n/a | n/a |",
                "| peak RSS over the run, VmHWM (MiB) ↓ | 400.0 | n/a | n/a |",
                "- synapse delivery-latency errors: {delivery missing=10, poll io SocketTimeoutException=2}");
    }

    @Test
    void aServerThatDidNotStartGetsAStatusLineAndNoFigures() {
        assertThat(report(new ScenarioRuns("callhs", Map.of("status", "build failed"), Map.of()),
                new ScenarioRuns("synapse", Map.of(), Map.of()))).contains(
                "- callhs: build failed",
                "| idle-long-polls incremental sync responses/s ↑ | n/a | n/a | n/a |");
    }
}
