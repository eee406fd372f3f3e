package org.callhs.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The merged outcome of one latency series (one kind of request, or a whole iteration)
 * over the measured window.
 *
 * @param name    series name, e.g. "whoami", "register", "login", "register+login"
 * @param stats   latencies of the successful requests
 * @param errors  failed requests by error key ("401 M_UNKNOWN_TOKEN", "io ConnectException")
 */
public record SeriesResult(String name, LatencyStats stats, Map<String, Long> errors) {

    /** Merges the series {@code name} of every user recorder. */
    public static SeriesResult merge(String name, List<UserRecorder> recorders) {
        SampleBuffer all = new SampleBuffer(recorders.stream().mapToInt(r -> r.latencies(name).size()).sum());
        Map<String, Long> errors = new TreeMap<>();
        for (UserRecorder recorder : recorders) {
            all.addAll(recorder.latencies(name));
            recorder.errors(name).forEach((key, count) -> errors.merge(key, count, Long::sum));
        }
        return new SeriesResult(name, LatencyStats.of(all), errors);
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }
}
