package org.callhs.core.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Date;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterJobs} of a cluster: Quartz with its clustered JDBC job store ({@code JobStoreTX},
 * {@code isClustered=true}) on the shared PostgreSQL database (tables from migration
 * {@code db/migration/quartz}). Every instance registers the same jobs under the scheduler name
 * {@value #SCHEDULER}; Quartz's row locks in {@code qrtz_locks} hand each due trigger to one
 * instance, and {@link DisallowConcurrentExecution} keeps a job from overlapping itself across
 * instances. Instances check in every {@value #CHECKIN_MS} ms; one silent for about twice that is
 * declared dead, and a run it had started is run again elsewhere ({@code requestsRecovery}).
 * Clocks of the instances must agree within a second (Quartz's requirement). Quartz takes a
 * cluster-wide lock per trigger firing, which suits a few maintenance jobs and nothing per
 * request: heartbeats and event firing never come here.
 */
public final class QuartzClusterJobs implements ClusterJobs, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(QuartzClusterJobs.class);
    static final String SCHEDULER = "callhs-cluster";
    /**
     * How often an instance checks in. Quartz declares an instance dead after about twice this
     * without a check-in and recovers the trigger it held: with the delayed-event sweep among the
     * jobs, this bounds how long a dead instance's events wait (Quartz's default, 7.5 s, made it 15 s).
     */
    static final long CHECKIN_MS = 2_000;
    private static final String GROUP = "callhs";
    private static final String DATA_SOURCE = "callhsCluster";
    /** Names each scheduler's connection provider apart (Quartz keeps providers JVM-wide; tests restart instances in one JVM). */
    private static final java.util.concurrent.atomic.AtomicInteger SCHEDULERS = new java.util.concurrent.atomic.AtomicInteger();

    private final String instance;
    private final HikariDataSource pool;
    private final Scheduler scheduler;
    private final Map<String, Runnable> jobs = new ConcurrentHashMap<>();

    public QuartzClusterJobs(String instance, String jdbcUrl) throws SchedulerException {
        this.instance = instance;
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setMaximumPoolSize(3);
        hikari.setPoolName("quartz-" + instance);
        hikari.setAutoCommit(false);
        this.pool = new HikariDataSource(hikari);
        // One connection provider per instance name, so several instances can live in one JVM.
        String dataSource = DATA_SOURCE + "-" + instance + "-" + SCHEDULERS.incrementAndGet();
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
            @Override public Connection getConnection() throws SQLException { return pool.getConnection(); }

            @Override public void shutdown() { }

            @Override public void initialize() { }
        });
        Properties props = new Properties();
        props.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, SCHEDULER);
        props.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, instance);
        props.setProperty("org.quartz.threadPool.threadCount", "2");
        props.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        props.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        props.setProperty("org.quartz.jobStore.dataSource", dataSource);
        props.setProperty("org.quartz.jobStore.tablePrefix", "qrtz_");
        props.setProperty("org.quartz.jobStore.isClustered", "true");
        props.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(CHECKIN_MS));
        props.setProperty("org.quartz.jobStore.misfireThreshold", "5000");
        // How long an instance that found no trigger to take waits before looking again (Quartz: 30 s by
        // default, 1 s at least): while another instance holds the triggers, this bounds the takeover.
        props.setProperty("org.quartz.scheduler.idleWaitTime", "1000");
        props.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        // Quartz's factory keeps schedulers by name in a JVM-wide repository: instances in one JVM need distinct names there.
        props.setProperty("org.quartz.scheduler.threadName", "cluster-jobs-" + instance);
        StdSchedulerFactory factory = new StdSchedulerFactory(props);
        org.quartz.impl.SchedulerRepository.getInstance().remove(SCHEDULER);
        this.scheduler = factory.getScheduler();
        org.quartz.impl.SchedulerRepository.getInstance().remove(SCHEDULER);
        scheduler.setJobFactory((bundle, s) -> new RunJob(jobs));
    }

    @Override
    public void every(String name, long intervalMs, Runnable job) {
        jobs.put(name, job);
        JobDetail detail = JobBuilder.newJob(RunJob.class).withIdentity(name, GROUP).storeDurably().requestRecovery().build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name, GROUP).forJob(detail)
                .startAt(new Date(System.currentTimeMillis() + intervalMs))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withIntervalInMilliseconds(intervalMs).repeatForever()
                        .withMisfireHandlingInstructionNextWithRemainingCount())
                .build();
        try {
            // Every instance does this at start-up; the one that comes last sets the interval.
            scheduler.scheduleJob(detail, Set.of(trigger), true);
        } catch (SchedulerException e) {
            throw new IllegalStateException("could not register cluster job " + name, e);
        }
    }

    /** Starts running this instance's share of the jobs. */
    public void start() throws SchedulerException {
        scheduler.start();
        log.info("cluster jobs started on instance {} ({} jobs)", instance, jobs.size());
    }

    @Override
    public void close() {
        try {
            scheduler.shutdown(true);
        } catch (SchedulerException e) {
            log.warn("stopping the cluster job scheduler failed", e);
        }
        pool.close();
    }

    /** Runs the registered job its trigger names, one run at a time across the cluster. */
    @DisallowConcurrentExecution
    public static final class RunJob implements Job {
        private final Map<String, Runnable> jobs;

        RunJob(Map<String, Runnable> jobs) {
            this.jobs = jobs;
        }

        @Override
        public void execute(JobExecutionContext context) {
            JobKey key = context.getJobDetail().getKey();
            Runnable job = jobs.get(key.getName());
            if (job == null) {
                log.warn("cluster job {} is not known to this instance; skipped", key.getName());
                return;
            }
            try {
                job.run();
            } catch (RuntimeException e) {
                log.warn("cluster job {} failed; it runs again at its next time", key.getName(), e);
            }
        }
    }
}
