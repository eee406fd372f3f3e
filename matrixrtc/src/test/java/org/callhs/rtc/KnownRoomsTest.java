package org.callhs.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One creation per room and time-to-live, shared by concurrent requests; failures are not remembered. */
class KnownRoomsTest {
    @Test
    void concurrentRequestsShareOneCreationAndLaterOnesSkipIt() throws Exception {
        AtomicInteger creations = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        KnownRooms rooms = new KnownRooms(room -> {
            creations.incrementAndGet();
            release.await();
        }, Duration.ofMinutes(1));
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 20; i++) done.add(pool.submit(() -> { rooms.ensure("call"); return null; }));
        Thread.sleep(200);
        release.countDown();
        for (Future<?> f : done) f.get();
        rooms.ensure("call");
        assertThat(creations).hasValue(1);
        rooms.ensure("other");
        assertThat(creations).hasValue(2);
        rooms.finished("call");
        rooms.ensure("call");
        assertThat(creations).as("room_finished forgets the room").hasValue(3);
        pool.shutdown();
    }

    @Test
    void aFailedCreationIsNotRememberedAndZeroCreatesEveryTime() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        KnownRooms failing = new KnownRooms(room -> {
            if (calls.incrementAndGet() == 1) throw new IOException("LiveKit down");
        }, Duration.ofMinutes(1));
        assertThatThrownBy(() -> failing.ensure("call")).isInstanceOf(IOException.class);
        failing.ensure("call");
        failing.ensure("call");
        assertThat(calls).hasValue(2);

        AtomicInteger every = new AtomicInteger();
        KnownRooms uncached = new KnownRooms(room -> every.incrementAndGet(), Duration.ZERO);
        uncached.ensure("call");
        uncached.ensure("call");
        assertThat(every).hasValue(2);
    }
}
