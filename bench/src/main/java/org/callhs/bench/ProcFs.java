package org.callhs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads another process's CPU time and resident memory from Linux's /proc. */
public final class ProcFs {

    /** USER_HZ: the unit of the CPU times in /proc/pid/stat; 100 on every Linux architecture we target. */
    static final int CLOCK_TICKS_PER_SECOND = 100;

    private ProcFs() {
    }

    /** utime + stime of {@code pid}, all threads, in nanoseconds; -1 if unreadable. */
    public static long cpuNanos(long pid) {
        try {
            return parseCpuNanos(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The utime + stime fields (14 and 15) of a /proc/pid/stat line, in nanoseconds. */
    static long parseCpuNanos(String stat) {
        // The command name (field 2) is in parentheses and may contain spaces: skip past it.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    /** The VmRSS of {@code pid} in KiB; -1 if unreadable. */
    public static long residentKiB(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }
}
