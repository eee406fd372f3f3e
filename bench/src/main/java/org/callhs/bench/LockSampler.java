package org.callhs.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many of the benchmark database's backends wait on a heavyweight lock (row, transaction,
 * relation or advisory lock: {@code pg_stat_activity.wait_event_type = 'Lock'}), sampled by
 * PostgreSQL itself. PostgreSQL keeps no cumulative lock-wait time, so the script gives a command
 * (psql's {@code \watch}) that prints one line per sample, {@code waiting|active|event,event,...};
 * this reads it from {@link #start} to {@link #stop}. The mean number of waiting backends is the
 * lock-wait time per second of wall time (seconds of waiting per second).
 */
final class LockSampler {
    private final Process process;
    private final Thread reader;
    private long samples;
    private long waitingSum;
    private long activeSum;
    private long samplesWithWaiters;
    private final Map<String, Long> byEvent = new TreeMap<>();

    private LockSampler(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("lock-sampler").start(this::read);
    }

    /** Starts the sampling command; null when there is none (the figures are then left out). */
    static LockSampler start(String command) throws IOException {
        if (command == null || command.isBlank()) return null;
        return new LockSampler(new ProcessBuilder("bash", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) add(line.trim());
        } catch (IOException e) {
            // the command was stopped
        }
    }

    private synchronized void add(String line) {
        String[] parts = line.split("\\|", -1);
        if (parts.length < 2) return;
        try {
            long waiting = Long.parseLong(parts[0]);
            long active = Long.parseLong(parts[1]);
            samples++;
            waitingSum += waiting;
            activeSum += active;
            if (waiting > 0) samplesWithWaiters++;
            if (parts.length > 2 && !parts[2].isBlank()) {
                for (String event : parts[2].split(",")) byEvent.merge(event, 1L, Long::sum);
            }
        } catch (NumberFormatException e) {
            // a header or a blank line of psql's
        }
    }

    /** Stops sampling and writes the figures under {@code locks_*} into {@code out}. */
    void stop(ObjectNode out) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        process.waitFor();
        reader.join(5_000);
        synchronized (this) {
            out.put("locks_samples", samples);
            out.put("locks_waiting_mean", samples == 0 ? 0 : (double) waitingSum / samples);
            out.put("locks_active_mean", samples == 0 ? 0 : (double) activeSum / samples);
            out.put("locks_samples_with_waiters_pct", samples == 0 ? 0 : 100.0 * samplesWithWaiters / samples);
            ObjectNode events = out.putObject("locks_waits_by_event");
            byEvent.forEach(events::put);
        }
    }
}
