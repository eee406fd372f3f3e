package org.callhs.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.callhs.core.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * Jobs registered through {@link org.callhs.core.spi.ClusterJobs} by every instance of a cluster
 * run on one instance at a time, never overlapping, and go on running on the survivor when an
 * instance stops.
 */
class QuartzClusterJobsTest {
    private record Run(String instance, long start, long end) {}

    @Test
    void aJobEveryInstanceRegistersRunsOnceAtATimeAndSurvivesAnInstance() throws Exception {
        List<TestServer> cluster = TestServer.startCluster(2, List.of());
        String url = cluster.get(0).homeserver().database().jdbcUrl();
        cluster.forEach(TestServer::close);
        List<Run> runs = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        QuartzClusterJobs one = new QuartzClusterJobs("job-1", url);
        QuartzClusterJobs two = new QuartzClusterJobs("job-2", url);
        try {
            for (var pair : List.of(List.of("job-1", one), List.of("job-2", two))) {
                String name = (String) pair.get(0);
                QuartzClusterJobs jobs = (QuartzClusterJobs) pair.get(1);
                jobs.every("test.tick", 500, () -> {
                    if (running.incrementAndGet() > 1) overlaps.incrementAndGet();
                    long start = System.currentTimeMillis();
                    try {
                        Thread.sleep(150);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    running.decrementAndGet();
                    runs.add(new Run(name, start, System.currentTimeMillis()));
                });
            }
            one.start();
            two.start();
            Thread.sleep(5_000);
            int together = runs.size();
            // Once per interval for the cluster (about 9 in 5 s), not once per instance (about 18).
            assertThat(together).isBetween(4, 13);
            assertThat(overlaps.get()).as("runs of one job never overlap, whichever instance runs them").isZero();

            one.close();
            one = null;
            int before = runs.size();
            Thread.sleep(3_000);
            assertThat(runs.subList(before, runs.size())).as("the survivor goes on").isNotEmpty()
                    .allSatisfy(run -> assertThat(run.instance()).isEqualTo("job-2"));
        } finally {
            if (one != null) one.close();
            two.close();
        }
    }
}
