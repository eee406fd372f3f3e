package org.callhs.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-sync-bench.sh} into markdown (see
 * {@link ScenarioReport}): the figures of the {@code /sync} scenarios
 * ({@code delivery-latency}, {@code initial-sync}, {@code idle-long-polls},
 * {@code to-device-burst}) for each server and the ratio of the first server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.SyncReport RESULTS_DIR callhs synapse}.
 */
public final class SyncReport implements ScenarioReport.Contents {

    static final String DELIVERY_LATENCY = RoomFanOutScenario.DELIVERY_LATENCY;
    static final String INITIAL_SYNC = InitialSyncScenario.NAME;
    static final String IDLE_LONG_POLLS = RoomFanOutScenario.IDLE_LONG_POLLS;
    static final String TO_DEVICE_BURST = ToDeviceBurstScenario.NAME;
    private static final String DELIVERY = DeliveryTracker.DELIVERY;
    private static final String ALL_DELIVERED = DeliveryTracker.ALL_DELIVERED;
    private static final List<String> TAIL = List.of("p50", "p99", "max");

    public static void main(String[] args) throws IOException {
        ScenarioReport.main(args, "SyncReport", new SyncReport());
    }

    @Override
    public List<String> scenarios() {
        return List.of(DELIVERY_LATENCY, INITIAL_SYNC, IDLE_LONG_POLLS, TO_DEVICE_BURST);
    }

    @Override
    public String description(Map<String, String> params) {
        return String.format(Locale.ROOT, "%s: %s members of one room long-polling, one sender at %s messages/s (open loop), %s. "
                        + "%s: closed loop, %s clients (devices of one account in %d rooms), %s. "
                        + "%s: %s clients long-polling in rooms of %d, one sender at %s messages/s, %s. "
                        + "%s: %s devices long-polling, one sendToDevice to all of them %s times a second, %s. "
                        + "Long-polls use timeout=30000.",
                DELIVERY_LATENCY, ScenarioReport.param(params, "delivery_members"), ScenarioReport.param(params, "delivery_rate"), ScenarioReport.window(params, "delivery"),
                INITIAL_SYNC, ScenarioReport.param(params, "initial_sync_clients"), InitialSyncScenario.ROOMS, ScenarioReport.window(params, "initial_sync"),
                IDLE_LONG_POLLS, ScenarioReport.param(params, "idle_clients"), RoomFanOutScenario.IDLE_ROOM_SIZE, ScenarioReport.param(params, "idle_rate"),
                ScenarioReport.window(params, "idle"),
                TO_DEVICE_BURST, ScenarioReport.param(params, "burst_devices"), ScenarioReport.param(params, "burst_rate"), ScenarioReport.window(params, "burst"));
    }

    @Override
    public List<Row<ScenarioRuns>> rows() {
        List<Row<ScenarioRuns>> rows = new ArrayList<>();
        deliveryLatencyRows(rows);
        initialSyncRows(rows);
        idleLongPollRows(rows);
        toDeviceBurstRows(rows);
        rows.add(ScenarioReport.peakRssRow());
        return rows;
    }

    private static void deliveryLatencyRows(List<Row<ScenarioRuns>> rows) {
        String scenario = DELIVERY_LATENCY;
        rows.add(new Row<>(scenario + " deliveries (message × member)", s -> s.series(scenario, DELIVERY, "count"), "%.0f", true));
        missingRow(rows, scenario);
        ScenarioReport.addLatencyRows(rows, scenario, DELIVERY, scenario + " send to member's sync", TAIL);
        ScenarioReport.addLatencyRows(rows, scenario, ALL_DELIVERED, scenario + " send to all members' syncs", TAIL);
        ScenarioReport.addLatencyRows(rows, scenario, FanOutScenario.SEND, scenario + " send request from its scheduled start",
                List.of("p50", "p99"));
        rows.add(new Row<>(scenario + " server CPU per delivery (µs)",
                s -> s.at(scenario, "server", "cpuMicrosPerIteration"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void initialSyncRows(List<Row<ScenarioRuns>> rows) {
        String scenario = INITIAL_SYNC;
        String series = InitialSyncScenario.INITIAL_SYNC;
        rows.add(new Row<>(scenario + " throughput (syncs/s)", s -> s.series(scenario, series, "throughput"), "%.1f", true));
        ScenarioReport.addLatencyRows(rows, scenario, series, scenario, TAIL);
        rows.add(new Row<>(scenario + " errors", s -> s.series(scenario, series, "errorCount"), "%.0f", false));
        rows.add(new Row<>(scenario + " response size (KiB)",
                s -> kib(s.at(scenario, "figures", "responseBytesMean")), "%.1f", false));
        rows.add(new Row<>(scenario + " joined rooms in a response", s -> s.at(scenario, "figures", "joinedRooms"), "%.0f", true));
        rows.add(new Row<>(scenario + " server CPU per sync (ms)",
                s -> FiguresTable.thousandth(s.at(scenario, "server", "cpuMicrosPerIteration")), "%.1f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void idleLongPollRows(List<Row<ScenarioRuns>> rows) {
        String scenario = IDLE_LONG_POLLS;
        rows.add(new Row<>(scenario + " incremental sync responses/s",
                s -> s.series(scenario, LongPoller.POLL, "throughput"), "%.1f", true));
        ScenarioReport.addLatencyRows(rows, scenario, DELIVERY, scenario + " woken poll, send to sync", TAIL);
        missingRow(rows, scenario);
        rows.add(new Row<>(scenario + " failed polls", s -> s.series(scenario, LongPoller.POLL, "errorCount"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void toDeviceBurstRows(List<Row<ScenarioRuns>> rows) {
        String scenario = TO_DEVICE_BURST;
        rows.add(new Row<>(scenario + " bursts sent", s -> s.series(scenario, FanOutScenario.SEND, "count"), "%.0f", true));
        ScenarioReport.addLatencyRows(rows, scenario, ALL_DELIVERED, scenario + " send to all devices' syncs", TAIL);
        ScenarioReport.addLatencyRows(rows, scenario, DELIVERY, scenario + " send to one device's sync", TAIL);
        missingRow(rows, scenario);
        ScenarioReport.addLatencyRows(rows, scenario, FanOutScenario.SEND,
                scenario + " sendToDevice request from its scheduled start", List.of("p50", "p99"));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static void missingRow(List<Row<ScenarioRuns>> rows, String scenario) {
        rows.add(new Row<>(scenario + " missing deliveries (must be 0)",
                s -> s.series(scenario, DELIVERY, "errorCount"), "%.0f", false));
    }

    private static Double kib(Double bytes) {
        return bytes == null ? null : bytes / 1024.0;
    }
}
