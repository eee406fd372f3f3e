package org.callhs.core.spi;

/**
 * Periodic maintenance that must run once per deployment, not once per process: deleting
 * expired rows, pruning history, sweeping for overdue work. A lone instance runs each job on a
 * timer; the instances of a cluster share Quartz's clustered JDBC job store, so each run happens
 * on exactly one of them, and a run an instance was in when it died is taken up by another.
 * Jobs must be safe to run again (a recovered run repeats) and must not need this instance's
 * memory; per-instance work (forgetting expired entries of an in-memory index) stays on the
 * module's own timer.
 */
public interface ClusterJobs {
    /**
     * Runs {@code job} every {@code intervalMs}, the first time about {@code intervalMs} after
     * start-up. Register before the server starts; {@code name} is unique per deployment.
     */
    void every(String name, long intervalMs, Runnable job);
}
