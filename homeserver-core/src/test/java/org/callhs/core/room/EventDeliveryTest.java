package org.callhs.core.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** Committed events reach the listeners in stream order, gaps settled by the database. */
class EventDeliveryTest {
    /** A stand-in for the events table and the stream's counter. */
    private static final class FakeStream implements EventDelivery.Source {
        final ConcurrentSkipListMap<Long, PersistedEvent> rows = new ConcurrentSkipListMap<>();
        final AtomicLong counter = new AtomicLong();
        volatile int reads;

        @Override public long committedThrough() { return counter.get(); }

        @Override public List<PersistedEvent> between(long after, long upTo, int limit) {
            reads++;
            List<PersistedEvent> out = new ArrayList<>();
            for (PersistedEvent e : rows.subMap(after, false, upTo, true).values()) {
                if (out.size() == limit) break;
                out.add(e);
            }
            return out;
        }

        /** Commits an event: its row, then the counter (as the stream's UPDATE does in the same transaction). */
        PersistedEvent commit(String roomId, long position) {
            PersistedEvent event = event(roomId, position);
            rows.put(position, event);
            counter.accumulateAndGet(position, Math::max);
            return event;
        }
    }

    private static PersistedEvent event(String roomId, long ordering) {
        return new PersistedEvent("$e" + ordering, roomId, ordering, Json.object().put("type", "m.room.message"),
                RoomVersion.require("11"), null, null, null, null, 1L, null);
    }

    private static List<Long> positions(List<PersistedEvent> events) {
        return events.stream().map(PersistedEvent::streamOrdering).toList();
    }

    @Test
    void anEventWaitsForTheOneBeforeItInAnotherRoom() throws Exception {
        FakeStream stream = new FakeStream();
        List<PersistedEvent> seen = new CopyOnWriteArrayList<>();
        try (EventDelivery delivery = new EventDelivery(stream, seen::add, 0)) {
            PersistedEvent x = stream.commit("!x", 1);
            PersistedEvent y = stream.commit("!y", 2);
            // Y's writer gets there first; it waits (not delivered) until X's writer hands X over.
            ExecutorService pool = Executors.newSingleThreadExecutor();
            CountDownLatch started = new CountDownLatch(1);
            Future<?> writerY = pool.submit(() -> {
                started.countDown();
                delivery.committed(List.of(y));
            });
            started.await();
            Thread.sleep(10);
            assertThat(seen).isEmpty();
            delivery.committed(List.of(x));
            writerY.get(5, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(positions(seen)).containsExactly(1L, 2L);
            assertThat(delivery.delivered()).isEqualTo(2);
        }
    }

    @Test
    void unusedPositionsOfABlockAreSkipped() {
        FakeStream stream = new FakeStream();
        List<PersistedEvent> seen = new ArrayList<>();
        try (EventDelivery delivery = new EventDelivery(stream, seen::add, 10)) {
            // A group took 11..15; the drafts at 12 and 15 were refused.
            PersistedEvent a = stream.commit("!r", 11);
            PersistedEvent b = stream.commit("!r", 13);
            PersistedEvent c = stream.commit("!r", 14);
            stream.counter.set(15);
            delivery.committed(List.of(a, b, c), 11, 15);
            assertThat(positions(seen)).containsExactly(11L, 13L, 14L);
            assertThat(delivery.delivered()).isEqualTo(15);
            assertThat(stream.reads).isZero();
            delivery.committed(List.of(stream.commit("!r", 16)));
            assertThat(positions(seen)).containsExactly(11L, 13L, 14L, 16L);
        }
    }

    @Test
    void aWriterThatNeverHandsItsEventOverIsReadFromTheDatabase() {
        FakeStream stream = new FakeStream();
        List<PersistedEvent> seen = new CopyOnWriteArrayList<>();
        try (EventDelivery delivery = new EventDelivery(stream, seen::add, 0)) {
            stream.commit("!x", 1); // its writer died after the commit
            stream.counter.set(2); // 2 was taken by a transaction whose position went unused
            PersistedEvent z = stream.commit("!z", 3);
            long start = System.nanoTime();
            delivery.committed(List.of(z));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
            assertThat(positions(seen)).containsExactly(1L, 3L);
            assertThat(delivery.delivered()).isEqualTo(3);
        }
    }

    @Test
    void catchUpDeliversEventsAnotherProcessWrote() {
        FakeStream stream = new FakeStream();
        List<PersistedEvent> seen = new ArrayList<>();
        try (EventDelivery delivery = new EventDelivery(stream, seen::add, 0)) {
            for (long p = 1; p <= 2_500; p++) if (p % 7 != 0) stream.commit("!r" + (p % 5), p);
            stream.counter.set(2_500);
            assertThat(delivery.catchUp()).isEqualTo(2_500 - 2_500 / 7);
            assertThat(seen).hasSize(2_500 - 2_500 / 7);
            assertThat(positions(seen)).isSorted();
            assertThat(delivery.delivered()).isEqualTo(2_500);
            // What this process wrote itself and already delivered is not delivered again.
            assertThat(delivery.catchUp()).isZero();
        }
    }

    @Test
    void aListenerThatWritesIsNotMadeToWaitForItself() {
        FakeStream stream = new FakeStream();
        List<PersistedEvent> seen = new ArrayList<>();
        EventDelivery[] self = {null};
        try (EventDelivery delivery = new EventDelivery(stream, e -> {
            seen.add(e);
            if (e.streamOrdering() == 1) self[0].committed(List.of(stream.commit("!r", 2)));
        }, 0)) {
            self[0] = delivery;
            delivery.committed(List.of(stream.commit("!r", 1)));
            assertThat(positions(seen)).containsExactly(1L, 2L);
        }
    }

    @Test
    void concurrentWritersOfManyRoomsAreHeardInStreamOrder() throws Exception {
        FakeStream stream = new FakeStream();
        List<PersistedEvent> seen = Collections.synchronizedList(new ArrayList<>());
        Object commitOrder = new Object();
        try (EventDelivery delivery = new EventDelivery(stream, seen::add, 0)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                String room = "!room" + w;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        PersistedEvent e;
                        synchronized (commitOrder) {
                            e = stream.commit(room, stream.counter.get() + 1);
                        }
                        delivery.committed(List.of(e));
                        // Once committed() returns, the writer's own event was heard.
                        assertThat(delivery.delivered()).isGreaterThanOrEqualTo(e.streamOrdering());
                    }
                }));
            }
            for (Future<?> f : writers) f.get(60, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(seen).hasSize(4_000);
            assertThat(positions(seen)).isSorted().doesNotHaveDuplicates();
        }
    }
}
