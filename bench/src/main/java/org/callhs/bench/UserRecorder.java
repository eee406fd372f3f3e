package org.callhs.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one virtual user observed during the measured window: latencies and error counts
 * per series. Each virtual user owns one, so recording needs no synchronisation; the
 * recorders are merged once the run is over.
 */
public final class UserRecorder {

    private final Map<String, SampleBuffer> latencies = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> errors = new LinkedHashMap<>();
    private final SampleBuffer scheduleLags = new SampleBuffer(16);

    public UserRecorder(Iterable<String> seriesNames) {
        for (String name : seriesNames) {
            latencies.put(name, new SampleBuffer());
            errors.put(name, new TreeMap<>());
        }
    }

    public void recordLatency(String series, long nanos) {
        buffer(series).add(nanos);
    }

    public void recordError(String series, String errorKey) {
        recordErrors(series, errorKey, 1);
    }

    /** Records {@code count} errors of one kind at once (deliveries still missing at the end of a run). */
    public void recordErrors(String series, String errorKey, long count) {
        buffer(series); // unknown series fail fast
        errors.get(series).merge(errorKey, count, Long::sum);
    }

    /** Open loop only: how late an iteration started compared with its timetable slot. */
    public void recordScheduleLag(long nanos) {
        scheduleLags.add(nanos);
    }

    SampleBuffer scheduleLags() {
        return scheduleLags;
    }

    SampleBuffer latencies(String series) {
        return buffer(series);
    }

    Map<String, Long> errors(String series) {
        buffer(series);
        return errors.get(series);
    }

    private SampleBuffer buffer(String series) {
        SampleBuffer buffer = latencies.get(series);
        if (buffer == null) {
            throw new IllegalArgumentException("unknown series " + series);
        }
        return buffer;
    }
}
