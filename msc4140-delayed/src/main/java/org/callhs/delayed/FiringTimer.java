package org.callhs.delayed;

import java.time.Clock;
import java.util.Date;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.spi.ClusterJobs;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz drives the firing. One job, run by two triggers that never overlap
 * ({@link DisallowConcurrentExecution}):
 * <ul>
 * <li>{@code next-due}: a one-shot trigger at the earliest due time of any scheduled event,
 *     re-armed after each run and whenever a new event is due earlier. Restarts only push due
 *     times later, so a heartbeat never touches Quartz: an early wake-up finds nothing due and
 *     re-arms for the new earliest time.
 * <li>{@code sweep}: every {@code sweep_interval_ms}, a safety net for events other instances
 *     sharing the database scheduled, and for a clock that jumped.
 * </ul>
 * A second job prunes finalised events hourly. The scheduler uses Quartz's in-memory job
 * store: the due times live in {@code delayed_events}, so nothing is lost when the process
 * dies, and the first run after start-up sends whatever fell due while it was down.
 *
 * <p>In cluster mode the sweep and the pruning are cluster-wide jobs ({@link ClusterJobs}, Quartz's
 * clustered JDBC job store): each sweep runs on one instance, which fires whatever is due (its own
 * and any dead instance's events) through this timer; the next-due trigger stays in each
 * instance's memory, so heartbeats never touch a job store.
 */
final class FiringTimer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FiringTimer.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final JobKey FIRE = JobKey.jobKey("fire-due", "msc4140");
    private static final JobKey PRUNE = JobKey.jobKey("prune-finalised", "msc4140");
    private static final TriggerKey NEXT_DUE = TriggerKey.triggerKey("next-due", "msc4140");

    /** What the timer runs: send due events and say when the next is due. */
    interface Work {
        /** Sends what is due; returns the earliest due time left, or null. */
        Long fireDue() throws Exception;

        void prune() throws Exception;
    }

    private final Scheduler scheduler;
    private final Clock clock;
    private final Work work;
    private final long sweepIntervalMs;
    private final Object armLock = new Object();
    private long armedAt = Long.MAX_VALUE;

    /** Where the sweep and the pruning run: here, or (cluster mode) once per cluster; null keeps them on this timer. */
    private final ClusterJobs clusterJobs;

    FiringTimer(Clock clock, Work work, long sweepIntervalMs, ClusterJobs clusterJobs) throws SchedulerException {
        this.clusterJobs = clusterJobs;
        this.clock = clock;
        this.work = work;
        this.sweepIntervalMs = sweepIntervalMs;
        Properties props = new Properties();
        props.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "callhs-msc4140-" + INSTANCES.incrementAndGet());
        props.setProperty("org.quartz.threadPool.threadCount", "2");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        props.setProperty("org.quartz.jobStore.misfireThreshold", "1000");
        props.setProperty("org.quartz.scheduler.idleWaitTime", "1000");
        scheduler = new StdSchedulerFactory(props).getScheduler();
        scheduler.setJobFactory((bundle, s) -> bundle.getJobDetail().getKey().equals(PRUNE) ? new PruneJob() : new FireJob());
        // Stored now, so an event scheduled before start() can already arm the next-due trigger.
        scheduler.addJob(JobBuilder.newJob(FireJob.class).withIdentity(FIRE).storeDurably().build(), false);
    }

    /** Starts firing: at once (overdue events first), then on the triggers. */
    void start() throws SchedulerException {
        if (clusterJobs != null) {
            armBy(clock.millis());
            clusterJobs.every("msc4140.sweep", sweepIntervalMs, () -> armBy(clock.millis()));
            clusterJobs.every("msc4140.prune", 3_600_000L, () -> {
                try {
                    work.prune();
                } catch (Exception e) {
                    throw new IllegalStateException("pruning finalised delayed events failed", e);
                }
            });
            scheduler.start();
            return;
        }
        scheduler.scheduleJob(TriggerBuilder.newTrigger().withIdentity("sweep", "msc4140").forJob(FIRE).startNow()
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(sweepIntervalMs).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build());
        JobDetail prune = JobBuilder.newJob(PruneJob.class).withIdentity(PRUNE).build();
        scheduler.scheduleJob(prune, TriggerBuilder.newTrigger().withIdentity("prune", "msc4140")
                .startAt(new Date(clock.millis() + 60_000))
                .withSchedule(SimpleScheduleBuilder.repeatHourlyForever().withMisfireHandlingInstructionNextWithRemainingCount())
                .build());
        scheduler.start();
    }

    /** Makes sure the fire job runs by {@code dueTs} (no-op when it is already armed as early). */
    void armBy(long dueTs) {
        synchronized (armLock) {
            if (dueTs >= armedAt) return;
            armedAt = dueTs;
            Trigger trigger = TriggerBuilder.newTrigger().withIdentity(NEXT_DUE).forJob(FIRE).startAt(new Date(dueTs))
                    .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow()).build();
            try {
                if (scheduler.checkExists(NEXT_DUE)) scheduler.rescheduleJob(NEXT_DUE, trigger);
                else scheduler.scheduleJob(trigger);
            } catch (SchedulerException e) {
                // The sweep trigger still runs the job within sweep_interval_ms.
                log.warn("could not arm the delayed-event trigger", e);
                armedAt = Long.MAX_VALUE;
            }
        }
    }

    private void ran() {
        synchronized (armLock) {
            armedAt = Long.MAX_VALUE;
        }
    }

    @DisallowConcurrentExecution
    final class FireJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            // Forget the armed time before looking, so an event scheduled during this run re-arms.
            ran();
            try {
                Long next = work.fireDue();
                if (next != null) armBy(next);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                log.warn("sending due delayed events failed; the sweep retries", e);
            }
        }
    }

    final class PruneJob implements Job {
        @Override
        public void execute(JobExecutionContext context) {
            try {
                work.prune();
            } catch (Exception e) {
                log.warn("pruning finalised delayed events failed", e);
            }
        }
    }

    @Override
    public void close() throws SchedulerException {
        scheduler.shutdown(true);
    }
}
