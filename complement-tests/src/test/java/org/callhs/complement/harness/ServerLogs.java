package org.callhs.complement.harness;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Which homeserver logs exist, which are in use, and how to read their tails. */
public final class ServerLogs {

    private static final int TAIL_LINES = 80;
    private static final int TAIL_BYTES = 64 * 1024;

    /** A log file and when its homeserver was last running (Long.MAX_VALUE while it runs). */
    private static final class Entry {
        final String label;
        final Path file;
        volatile long lastRunningNanos = Long.MAX_VALUE;

        Entry(String label, Path file) {
            this.label = label;
            this.file = file;
        }
    }

    private static final List<Entry> ENTRIES = new CopyOnWriteArrayList<>();

    private ServerLogs() {}

    static void running(String label, Path file) {
        for (Entry e : ENTRIES) {
            if (e.file.equals(file)) {
                e.lastRunningNanos = Long.MAX_VALUE;
                return;
            }
        }
        ENTRIES.add(new Entry(label, file));
    }

    static void stopped(Path file) {
        long now = System.nanoTime();
        for (Entry e : ENTRIES) if (e.file.equals(file)) e.lastRunningNanos = now;
    }

    /** Tails of the logs of homeservers that ran at some point since {@code sinceNanos}. */
    static List<String> tailsSince(long sinceNanos) {
        List<String> tails = new ArrayList<>();
        for (Entry e : ENTRIES) {
            if (e.lastRunningNanos >= sinceNanos) tails.add(e.label + " (" + e.file.toAbsolutePath() + "):\n" + tail(e.file));
        }
        return tails;
    }

    /** The last lines of a log file. */
    public static String tail(Path file) {
        if (!Files.exists(file)) return "(no log file " + file + ")";
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            long from = Math.max(0, length - TAIL_BYTES);
            byte[] buf = new byte[(int) (length - from)];
            raf.seek(from);
            raf.readFully(buf);
            String[] lines = new String(buf, StandardCharsets.UTF_8).split("\r?\n");
            int start = Math.max(from > 0 ? 1 : 0, lines.length - TAIL_LINES);
            StringBuilder sb = new StringBuilder();
            for (int i = start; i < lines.length; i++) sb.append("    | ").append(lines[i]).append('\n');
            return sb.toString();
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
