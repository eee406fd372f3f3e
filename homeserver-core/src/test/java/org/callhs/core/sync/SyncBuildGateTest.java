package org.callhs.core.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyncBuildGateTest {
    @Test
    void neverMoreBuildsAtOnceThanPermitted() throws Exception {
        SyncBuildGate gate = new SyncBuildGate(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> builds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            builds.add(pool.submit(() -> gate.build(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                return n;
            })));
        }
        int sum = 0;
        for (Future<Integer> f : builds) sum += f.get(10, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(sum).isEqualTo(39 * 40 / 2);
        assertThat(most.get()).isBetween(1, 2);
    }

    @Test
    void aFailingBuildGivesItsPermitBack() throws Exception {
        SyncBuildGate gate = new SyncBuildGate(1);
        assertThatThrownBy(() -> gate.build(() -> { throw new IllegalStateException("broken"); }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(gate.build(() -> "next")).isEqualTo("next");
    }

    @Test
    void aWaitingBuildCanBeInterrupted() throws Exception {
        SyncBuildGate gate = new SyncBuildGate(1);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try {
                gate.build(() -> {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        holder.start();
        assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> gate.build(() -> "never")).isInstanceOf(InterruptedException.class);
        release.countDown();
        holder.join(5_000);
        assertThat(gate.build(() -> "after")).isEqualTo("after");
    }
}
