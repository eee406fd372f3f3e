package org.callhs.core.cluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.callhs.core.spi.ClusterJobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ClusterJobs} of a lone instance: each job on one shared timer thread, one run at a time. */
public final class LocalJobs implements ClusterJobs, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalJobs.class);
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("maintenance-jobs").factory());

    @Override
    public void every(String name, long intervalMs, Runnable job) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                job.run();
            } catch (RuntimeException e) {
                log.warn("maintenance job {} failed; it runs again in {} ms", name, intervalMs, e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
