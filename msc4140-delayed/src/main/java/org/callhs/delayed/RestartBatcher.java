package org.callhs.delayed;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for restarts (heartbeats). A restart waits in a queue; a committer thread takes
 * everything queued (up to {@value #MAX_BATCH}) and commits it in one statement, its own
 * transaction ({@link Database#autocommit}, one round trip):
 * {@code UPDATE ... SET due_ts = now + delay_ms WHERE delay_id = ANY(?) ... RETURNING}.
 * While a commit is in flight the next batch gathers, so under load each durable commit carries
 * many restarts and the throughput is not bounded by commits per second; when idle a restart
 * commits alone at once. A request is answered only after its batch has committed, and the
 * batch's {@code now} is read before the update, so the acknowledged due time is never earlier
 * than what the firing sees. In cluster mode {@code now} is the database's clock in that very
 * statement ({@link DueClock}), the clock every instance's claims compare with.
 *
 * <p>Each committer has a queue of its own and a delay ID always goes to the same one, so two
 * transactions of this instance never update the same row at once: they cannot deadlock, and a
 * repeated heartbeat of one event waits for the previous one instead of for a lock. A transaction
 * that still fails as a deadlock or serialization failure (instances of a cluster restarting the
 * same events) is retried.
 *
 * <p>The owner of a delay ID never changes, so owners are cached once read (outside any
 * transaction: there is nothing to hold), and the owner check of a known event costs no query.
 */
final class RestartBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestartBatcher.class);
    static final int MAX_BATCH = 1000;
    static final int OWNER_CACHE_SIZE = 200_000;
    private static final int ATTEMPTS = 3;

    private final DelayedEventMetrics metrics;

    private record Pending(String delayId, String caller, CompletableFuture<Boolean> done) {}

    private final Database database;
    private final DelayedEventRepository repository;
    private final DueClock dueClock;
    private final List<LinkedBlockingQueue<Pending>> queues = new ArrayList<>();
    private final List<Thread> committers = new ArrayList<>();
    private final Cache<String, String> owners = Caffeine.newBuilder().maximumSize(OWNER_CACHE_SIZE).build();
    private volatile boolean running = true;

    RestartBatcher(Database database, DelayedEventRepository repository, DueClock dueClock, int committerThreads,
                   DelayedEventMetrics metrics) {
        this.metrics = metrics;
        this.database = database;
        this.repository = repository;
        this.dueClock = dueClock;
        for (int i = 0; i < committerThreads; i++) {
            LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
            queues.add(queue);
            committers.add(Thread.ofPlatform().daemon().name("delayed-restart-" + i).start(() -> commitLoop(queue)));
        }
    }

    /**
     * Restarts {@code delayId}'s timer; false when it is not scheduled, or when {@code caller}
     * (null without a token) is not its owner.
     */
    boolean restart(String delayId, String caller) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        queues.get(Math.floorMod(delayId.hashCode(), queues.size())).add(new Pending(delayId, caller, done));
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrCode.UNKNOWN, 503, "Interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof MatrixException m) throw m;
            throw new MatrixException(ErrCode.UNKNOWN, 503, "Restart could not be stored, try again");
        } catch (TimeoutException e) {
            throw new MatrixException(ErrCode.UNKNOWN, 503, "Restart timed out, try again");
        }
    }

    private void commitLoop(LinkedBlockingQueue<Pending> queue) {
        List<Pending> batch = new ArrayList<>();
        while (running) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                // Answered (503) and the loop goes on: a dead committer would leave its share of the IDs unanswered.
                log.warn("restart batch of {} failed", batch.size(), e);
                for (Pending p : batch) p.done().completeExceptionally(e);
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        Map<String, List<Pending>> byId = new LinkedHashMap<>();
        for (Pending p : batch) byId.computeIfAbsent(p.delayId(), id -> new ArrayList<>(1)).add(p);
        List<String> unknown = new ArrayList<>();
        for (String id : byId.keySet()) if (owners.getIfPresent(id) == null) unknown.add(id);
        if (!unknown.isEmpty()) owners.putAll(repository.owners(database.dsl(), unknown));
        List<String> toRestart = new ArrayList<>(byId.size());
        byId.forEach((id, pendings) -> {
            String owner = owners.getIfPresent(id);
            if (owner != null && pendings.stream().anyMatch(p -> allowed(p, owner))) toRestart.add(id);
        });
        Map<String, String> restarted = Map.of();
        for (int attempt = 1; !toRestart.isEmpty(); attempt++) {
            try {
                restarted = database.autocommit(tx -> repository.restart(tx, toRestart, dueClock.now()));
                break;
            } catch (DataAccessException e) {
                if (attempt >= ATTEMPTS || !retryable(e)) throw e;
                log.debug("restart batch of {} retried after {}", toRestart.size(), e.sqlState());
            }
        }
        metrics.restarted(restarted.size());
        for (Pending p : batch) {
            String owner = restarted.get(p.delayId());
            p.done().complete(owner != null && allowed(p, owner));
        }
    }

    private static boolean allowed(Pending p, String owner) {
        return p.caller() == null || p.caller().equals(owner);
    }

    /** Deadlock or serialization failure: the transaction may simply be run again. */
    private static boolean retryable(DataAccessException e) {
        String state = e.sqlState();
        return "40P01".equals(state) || "40001".equals(state);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : committers) t.join(1_000);
        for (LinkedBlockingQueue<Pending> queue : queues) for (Pending p : queue) p.done().complete(false);
    }
}
