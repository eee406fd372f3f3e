package org.callhs.delayed;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.storage.Database;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for restarts (heartbeats). A restart waits in a queue; committer threads take
 * everything queued (up to {@value #MAX_BATCH}) and commit it in one transaction: one query for
 * the owners, one {@code UPDATE ... SET due_ts = now + delay_ms ... RETURNING} for the batch.
 * While a commit is in flight the next batch gathers, so under load each durable commit carries
 * many restarts and the throughput is not bounded by commits per second; when idle a restart
 * commits alone at once. A request is answered only after its batch has committed, and the
 * batch's {@code now} is read before the update, so the acknowledged due time is never earlier
 * than what the firing sees. In cluster mode {@code now} is the database's clock in that very
 * statement ({@link DueClock}), the clock every instance's claims compare with.
 */
final class RestartBatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestartBatcher.class);
    static final int MAX_BATCH = 1000;

    private record Pending(String delayId, String caller, CompletableFuture<Boolean> done) {}

    private final Database database;
    private final DelayedEventRepository repository;
    private final Clock clock;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final List<Thread> committers = new ArrayList<>();
    private volatile boolean running = true;

    private final DueClock dueClock;

    RestartBatcher(Database database, DelayedEventRepository repository, Clock clock, DueClock dueClock, int committerThreads) {
        this.dueClock = dueClock;
        this.database = database;
        this.repository = repository;
        this.clock = clock;
        for (int i = 0; i < committerThreads; i++) {
            Thread t = Thread.ofPlatform().daemon().name("delayed-restart-" + i).start(this::commitLoop);
            committers.add(t);
        }
    }

    /**
     * Restarts {@code delayId}'s timer; false when it is not scheduled, or when {@code caller}
     * (null without a token) is not its owner.
     */
    boolean restart(String delayId, String caller) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        queue.add(new Pending(delayId, caller, done));
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

    private void commitLoop() {
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
            } catch (RuntimeException e) {
                log.warn("restart batch of {} failed", batch.size(), e);
                for (Pending p : batch) p.done().completeExceptionally(e);
            } finally {
                batch.clear();
            }
        }
    }

    private void commit(List<Pending> batch) {
        List<String> ids = new ArrayList<>(batch.size());
        for (Pending p : batch) ids.add(p.delayId());
        boolean[] allowed = new boolean[batch.size()];
        Set<String> restarted = database.transaction(tx -> {
            Map<String, String> owners = repository.owners(tx, ids);
            Set<String> toRestart = new java.util.HashSet<>();
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                String owner = owners.get(p.delayId());
                allowed[i] = owner != null && (p.caller() == null || p.caller().equals(owner));
                if (allowed[i]) toRestart.add(p.delayId());
            }
            if (toRestart.isEmpty()) return Set.<String>of();
            return repository.restart(tx, toRestart, dueClock.now());
        });
        for (int i = 0; i < batch.size(); i++) {
            Pending p = batch.get(i);
            p.done().complete(allowed[i] && restarted.contains(p.delayId()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : committers) t.join(1_000);
        for (Pending p : queue) p.done().complete(false);
    }
}
