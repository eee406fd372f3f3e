package org.callhs.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-federation-bench.sh} into markdown (see
 * {@link ScenarioReport}): {@code federated-to-device} for each pairing of sending and
 * receiving server ({@code callhs-to-callhs}, {@code callhs-to-synapse}, ...), one column each.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.FederationReport RESULTS_DIR LABEL...}.
 */
public final class FederationReport implements ScenarioReport.Contents {
    static final String SCENARIO = FederatedToDeviceScenario.NAME;
    static final String ROOM = RoomFanOutScenario.FEDERATED;
    private static final List<String> TAIL = List.of("p50", "p99", "max");

    public static void main(String[] args) throws IOException {
        ScenarioReport.main(args, "FederationReport", new FederationReport());
    }

    @Override
    public List<String> scenarios() {
        return List.of(SCENARIO, ROOM);
    }

    @Override
    public String description(Map<String, String> params) {
        return String.format(Locale.ROOT, "%s: a user on the sending server sends %s to-device messages a second (open loop) to "
                        + "one device of a user on the receiving server, which long-polls /sync (timeout=30000); %s. "
                        + "Latency is from just before the sendToDevice request to the receiver's /sync response carrying the "
                        + "message, so it includes the sending server's queue, the federation transaction over loopback HTTPS "
                        + "(X-Matrix signed and verified) and the receiving server's wake-up. Each column is a pair of servers "
                        + "started fresh for it.",
                SCENARIO, ScenarioReport.param(params, "rate"), ScenarioReport.window(params, "fed"))
                + String.format(Locale.ROOT, " %s: the same rate of m.room.message events, sent by a user of the sending server "
                        + "into a room of its server that a user of the receiving server joined over federation (make_join, "
                        + "send_join); latency is from just before the send request to the member's /sync response carrying the "
                        + "event, so it includes the PDU's checks on receipt (signatures, hashes, auth).", ROOM);
    }

    @Override
    public List<Row<ScenarioRuns>> rows() {
        List<Row<ScenarioRuns>> rows = new ArrayList<>();
        rows.add(new Row<>("messages sent", s -> s.series(SCENARIO, FanOutScenario.SEND, "count"), "%.0f", true));
        rows.add(new Row<>("missing deliveries (must be 0)", s -> s.series(SCENARIO, DeliveryTracker.DELIVERY, "errorCount"), "%.0f", false));
        ScenarioReport.addLatencyRows(rows, SCENARIO, DeliveryTracker.DELIVERY, "send to the other server's /sync", TAIL);
        ScenarioReport.addLatencyRows(rows, SCENARIO, FanOutScenario.SEND, "sendToDevice request from its scheduled start",
                List.of("p50", "p99"));
        rows.add(new Row<>("room messages sent", s -> s.series(ROOM, FanOutScenario.SEND, "count"), "%.0f", true));
        rows.add(new Row<>("room messages missing (must be 0)", s -> s.series(ROOM, DeliveryTracker.DELIVERY, "errorCount"), "%.0f", false));
        ScenarioReport.addLatencyRows(rows, ROOM, DeliveryTracker.DELIVERY, "room message send to the other server's /sync", TAIL);
        return rows;
    }
}
