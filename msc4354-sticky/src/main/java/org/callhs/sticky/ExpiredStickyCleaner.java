package org.callhs.sticky;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired {@code sticky_events} and {@code sticky_soft_failed} rows, once per deployment
 * ({@link org.callhs.core.spi.ClusterJobs}), and forgets expired entries of this instance's
 * in-memory index on its own timer. Readers already skip them; this only bounds their size.
 */
final class ExpiredStickyCleaner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExpiredStickyCleaner.class);

    private final Database database;
    private final StickyEventRepository repository;
    private final StickyIndex index;
    private final Clock clock;
    private final SoftFailedStickies softFailed;
    private final io.micrometer.core.instrument.Counter expired;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "sticky-cleaner");
        thread.setDaemon(true);
        return thread;
    });

    ExpiredStickyCleaner(Database database, StickyEventRepository repository, StickyIndex index, SoftFailedStickies softFailed,
                         Clock clock) {
        this(database, repository, index, softFailed, clock, org.callhs.core.metrics.Metrics.off().registry());
    }

    /** @param meters counts the events that stop being sticky as their time runs out ({@code callhs_sticky_events_expired_total}) */
    ExpiredStickyCleaner(Database database, StickyEventRepository repository, StickyIndex index, SoftFailedStickies softFailed,
                         Clock clock, io.micrometer.core.instrument.MeterRegistry meters) {
        this.expired = io.micrometer.core.instrument.Counter.builder("callhs.sticky_events.expired")
                .description("Sticky events whose stickiness ran out (left this instance's index)").register(meters);
        this.softFailed = softFailed;
        this.database = database;
        this.repository = repository;
        this.index = index;
        this.clock = clock;
    }

    void start(long intervalMs, org.callhs.core.spi.ClusterJobs jobs) {
        jobs.every("msc4354.expired_sticky_rows", intervalMs, this::deleteExpiredRows);
        timer.scheduleWithFixedDelay(this::forgetExpired, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** The cluster-wide half: expired rows of both tables. */
    private void deleteExpiredRows() {
        long now = clock.millis();
        int deleted = database.transaction(tx -> repository.deleteExpired(tx, now) + softFailed.removeExpired(tx, now));
        if (deleted > 0) log.debug("deleted {} expired sticky rows", deleted);
    }

    /** This instance's half: expired entries of the in-memory index and of the soft-failed waiting list. */
    private void forgetExpired() {
        long now = clock.millis();
        expired.increment(index.removeExpired(now));
        softFailed.forgetExpired(now);
    }

    /** One pass; returns how many rows went. */
    int cleanOnce() {
        try {
            long now = clock.millis();
            int deleted = database.transaction(tx -> repository.deleteExpired(tx, now) + softFailed.removeExpired(tx, now));
            expired.increment(index.removeExpired(now));
            if (deleted > 0) log.debug("deleted {} expired sticky events", deleted);
            return deleted;
        } catch (RuntimeException e) {
            log.warn("sticky event clean-up failed; retrying at the next interval", e);
            return 0;
        }
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
