package org.callhs.core.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SyncNotifierTest {
    private final SyncNotifier notifier = new SyncNotifier(Map.of(Streams.EVENTS, 0L), user -> List.of("!room:hs"));

    @Test
    void aWaiterRegisteredBeforeAnUpdateIsWoken() throws Exception {
        try (SyncNotifier.Waiter waiter = notifier.register("@a:hs", List.of("!room:hs"))) {
            notifier.roomUpdated(Streams.EVENTS, 1, "!room:hs");
            assertThat(waiter.await(0)).isTrue();
            assertThat(waiter.await(0)).as("the signal is cleared").isFalse();
        }
    }

    @Test
    void aWaiterOfAnotherRoomIsNotWoken() throws Exception {
        try (SyncNotifier.Waiter waiter = notifier.register("@a:hs", List.of("!other:hs"))) {
            notifier.roomUpdated(Streams.EVENTS, 1, "!room:hs");
            assertThat(waiter.await(0)).isFalse();
        }
    }

    /**
     * Other requests of the same room register and end all the time (each long-poll of each
     * member): a waiter registered meanwhile must still be woken. (Registering used to add to a set
     * that a concurrent close could just have emptied and dropped from the map.)
     */
    @Test
    void noWakeUpIsLostWhileOtherWaitersOfTheRoomComeAndGo() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = Thread.ofPlatform().start(() -> {
            while (!stop.get()) {
                notifier.register("@churn:hs", List.of("!room:hs")).close();
            }
        });
        int lost = 0;
        try {
            for (int i = 1; i <= 200_000; i++) {
                try (SyncNotifier.Waiter waiter = notifier.register("@a:hs", List.of("!room:hs"))) {
                    notifier.roomUpdated(Streams.EVENTS, i, "!room:hs");
                    if (!waiter.await(0)) lost++;
                }
            }
        } finally {
            stop.set(true);
            churn.join();
        }
        assertThat(lost).as("wake-ups lost").isZero();
    }
}
