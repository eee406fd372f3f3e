package org.callhs.bench;

import java.lang.management.ManagementFactory;

/**
 * Samples CPU time at the start and at the end of the measured window: this generator's
 * own (to show it is not the bottleneck) and, when its pid is known, the server's.
 */
public final class WindowSampler {

    /** CPU used during the measured window, in seconds; server figures are -1 when unknown. */
    public record Sample(double generatorCpuSeconds, double serverCpuSeconds, long serverRssKiBAtEnd) { }

    private final RunWindow window;
    private final long serverPid;
    private final Thread thread;
    private volatile Sample sample;

    private WindowSampler(RunWindow window, long serverPid) {
        this.window = window;
        this.serverPid = serverPid;
        this.thread = Thread.ofPlatform().daemon().name("window-sampler").start(this::sample);
    }

    /** Starts sampling {@code window}; {@code serverPid} &lt;= 0 means the server is not observed. */
    public static WindowSampler start(RunWindow window, long serverPid) {
        return new WindowSampler(window, serverPid);
    }

    private void sample() {
        LoadDriver.parkUntil(window.measureStartNanos());
        long generatorStart = generatorCpuNanos();
        long serverStart = serverPid > 0 ? ProcFs.cpuNanos(serverPid) : -1;
        LoadDriver.parkUntil(window.endNanos());
        long generatorEnd = generatorCpuNanos();
        long serverEnd = serverPid > 0 ? ProcFs.cpuNanos(serverPid) : -1;
        long rss = serverPid > 0 ? ProcFs.residentKiB(serverPid) : -1;
        sample = new Sample(
                generatorStart < 0 || generatorEnd < 0 ? -1 : (generatorEnd - generatorStart) / 1e9,
                serverStart < 0 || serverEnd < 0 ? -1 : (serverEnd - serverStart) / 1e9,
                rss);
    }

    /** Waits for the end-of-window sample. */
    public Sample await() throws InterruptedException {
        thread.join();
        return sample;
    }

    private static long generatorCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
