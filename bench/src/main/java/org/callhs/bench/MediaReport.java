package org.callhs.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.callhs.bench.FiguresTable.Row;

/**
 * Turns the files written by {@code bench/run-media-bench.sh} into markdown (see
 * {@link ScenarioReport}): uploads and downloads of 10 KiB and 5 MiB files, and thumbnails, for
 * each server and the ratio of the first server to the second.
 *
 * <p>Usage: {@code java -cp bench.jar org.callhs.bench.MediaReport RESULTS_DIR callhs-sqlite synapse}.
 */
public final class MediaReport implements ScenarioReport.Contents {
    private static final List<String> TAIL = List.of("p50", "p90", "p99", "max");
    private static final List<String> SCENARIOS = List.of(MediaScenario.UPLOAD_10K, MediaScenario.UPLOAD_5M,
            MediaScenario.DOWNLOAD_10K, MediaScenario.DOWNLOAD_5M, MediaScenario.THUMBNAIL);

    public static void main(String[] args) throws IOException {
        ScenarioReport.main(args, "MediaReport", new MediaReport());
    }

    @Override
    public List<String> scenarios() {
        return SCENARIOS;
    }

    @Override
    public String description(Map<String, String> params) {
        return String.format(Locale.ROOT, "Closed loops, every user with its own account and files. %s: %s users each uploading "
                        + "10 KiB of random bytes, %s. %s: %s users each uploading 5 MiB at once, %s (the memory figure is this "
                        + "server's RSS while they do). %s and %s: %s users each downloading its own 10 KiB or 5 MiB file through "
                        + "authenticated media, %s. %s: %s users each uploading a new 1600x1200 JPEG and asking for its 320x240 "
                        + "scale thumbnail, %s.",
                MediaScenario.UPLOAD_10K, ScenarioReport.param(params, "small_users"), ScenarioReport.window(params, "small"),
                MediaScenario.UPLOAD_5M, ScenarioReport.param(params, "large_users"), ScenarioReport.window(params, "large"),
                MediaScenario.DOWNLOAD_10K, MediaScenario.DOWNLOAD_5M, ScenarioReport.param(params, "small_users"),
                ScenarioReport.window(params, "small"),
                MediaScenario.THUMBNAIL, ScenarioReport.param(params, "thumbnail_users"), ScenarioReport.window(params, "thumbnail"));
    }

    @Override
    public List<Row<ScenarioRuns>> rows() {
        List<Row<ScenarioRuns>> rows = new ArrayList<>();
        transferRows(rows, MediaScenario.UPLOAD_10K, MediaScenario.UPLOAD_SERIES, "uploads/s");
        transferRows(rows, MediaScenario.UPLOAD_5M, MediaScenario.UPLOAD_SERIES, "uploads/s");
        transferRows(rows, MediaScenario.DOWNLOAD_10K, MediaScenario.DOWNLOAD_SERIES, "downloads/s");
        transferRows(rows, MediaScenario.DOWNLOAD_5M, MediaScenario.DOWNLOAD_SERIES, "downloads/s");
        String thumb = MediaScenario.THUMBNAIL;
        rows.add(new Row<>(thumb + " images/s", s -> s.series(thumb, MediaScenario.BOTH_SERIES, "throughput"), "%.1f", true));
        ScenarioReport.addLatencyRows(rows, thumb, MediaScenario.BOTH_SERIES, thumb + " upload, then thumbnail", TAIL);
        ScenarioReport.addLatencyRows(rows, thumb, MediaScenario.UPLOAD_SERIES, thumb + " upload", List.of("p50", "p99"));
        ScenarioReport.addLatencyRows(rows, thumb, MediaScenario.THUMBNAIL_SERIES, thumb + " thumbnail request", List.of("p50", "p99"));
        rows.add(new Row<>(thumb + " errors", s -> s.series(thumb, MediaScenario.BOTH_SERIES, "errorCount"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, thumb);
        rows.add(ScenarioReport.peakRssRow());
        return rows;
    }

    private static void transferRows(List<Row<ScenarioRuns>> rows, String scenario, String series, String unit) {
        rows.add(new Row<>(scenario + " " + unit, s -> s.series(scenario, series, "throughput"), "%.1f", true));
        rows.add(new Row<>(scenario + " MiB/s", s -> mibPerSecond(s, scenario), "%.1f", true));
        ScenarioReport.addLatencyRows(rows, scenario, series, scenario, TAIL);
        rows.add(new Row<>(scenario + " errors", s -> s.series(scenario, series, "errorCount"), "%.0f", false));
        rows.add(new Row<>(scenario + " wrong lengths (must be 0)", s -> s.at(scenario, "figures", "wrongLengths"), "%.0f", false));
        ScenarioReport.addMachineRows(rows, scenario);
    }

    private static Double mibPerSecond(ScenarioRuns s, String scenario) {
        Double moved = s.at(scenario, "figures", "bytesMoved");
        Double seconds = s.at(scenario, "durationSeconds");
        return moved == null || seconds == null || seconds == 0 ? null : moved / seconds / (1024 * 1024);
    }
}
