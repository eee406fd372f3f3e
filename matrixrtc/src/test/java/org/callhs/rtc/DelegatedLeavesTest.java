package org.callhs.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.callhs.core.spi.DelayedEventActions;
import org.callhs.core.spi.Migrations;
import org.callhs.core.storage.Database;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch's life cycle on a real database, with the SFU's answers and the delayed events in
 * the test's hands (what a real LiveKit and homeserver do is covered by {@link LiveKitServiceTest}
 * and the Element Call scenario; these are the cases that a real client can hardly be made to
 * produce on cue): a reconnected client keeps its watch, a failed first connection is ignored,
 * the waiting time-out sends, a restart of the server resumes the watches, a missed webhook is
 * made up for by the periodic look-up.
 */
class DelegatedLeavesTest {
    private Database database;
    private final Set<String> present = ConcurrentHashMap.newKeySet();
    private final List<String> actions = new CopyOnWriteArrayList<>();
    private final DelayedEventActions delayed = new DelayedEventActions() {
        @Override public Outcome restart(String delayId, String userId) { actions.add("restart " + delayId); return Outcome.DONE; }
        @Override public Outcome sendNow(String delayId, String userId) { actions.add("send " + delayId); return Outcome.DONE; }
    };

    @BeforeEach
    void openDatabase() {
        database = Database.open(TestDatabases.create(Backend.SQLITE), 2);
        database.migrate(List.of(new Migrations("rtc", "classpath:db/migration/rtc")));
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }

    private DelegatedLeaves leaves(long checkMs) {
        return new DelegatedLeaves(database, new DelegatedLeaveRepository(), () -> delayed, (room, identity) -> present.contains(identity),
                checkMs, Clock.systemUTC());
    }

    private void await(String action, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!actions.contains(action)) {
            assertThat(System.nanoTime()).as("%s within %s; saw %s", action, within, actions).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void aReconnectedClientKeepsItsWatchAndItsLeaveComesWhenItIsReallyGone() throws Exception {
        try (DelegatedLeaves leaves = leaves(0)) {
            leaves.handOver(new DelegatedLeave("room", "alice", "@alice:hs", "d1", 60_000));
            leaves.joined("room", "alice");
            await("restart d1", Duration.ofSeconds(5));
            present.add("alice"); // the client's new session, under the same identity
            leaves.left("room", "alice", true);
            Thread.sleep(300);
            assertThat(actions).doesNotContain("send d1");
            present.remove("alice");
            leaves.left("room", "alice", true);
            await("send d1", Duration.ofSeconds(5));
            assertThat(leaves.watching()).isZero();
        }
    }

    @Test
    void aFailedFirstConnectionIsIgnoredAndAParticipantWhoNeverComesIsSentOffAtTheTimeout() throws Exception {
        try (DelegatedLeaves leaves = leaves(0)) {
            leaves.handOver(new DelegatedLeave("room", "bob", "@bob:hs", "d2", 1_500));
            leaves.left("room", "bob", true);
            Thread.sleep(300);
            assertThat(leaves.watching()).isEqualTo(1);
            assertThat(actions).isEmpty();
            await("send d2", Duration.ofSeconds(5));
        }
    }

    @Test
    void aParticipantFoundByLookUpIsConnectedAndTheWatchSurvivesARestartOfTheServer() throws Exception {
        present.add("carol");
        try (DelegatedLeaves leaves = leaves(0)) {
            leaves.handOver(new DelegatedLeave("room", "carol", "@carol:hs", "d3", 60_000));
            await("restart d3", Duration.ofSeconds(5));
        }
        actions.clear();
        try (DelegatedLeaves again = leaves(0)) {
            again.resume();
            assertThat(again.watching()).isEqualTo(1);
            await("restart d3", Duration.ofSeconds(5));
            present.remove("carol");
            again.left("room", "carol", false);
            await("send d3", Duration.ofSeconds(5));
        }
        try (DelegatedLeaves third = leaves(0)) {
            third.resume();
            assertThat(third.watching()).as("a sent leave is not watched again").isZero();
        }
    }

    @Test
    void thePeriodicLookUpMakesUpForAMissedWebhook() throws Exception {
        try (DelegatedLeaves leaves = leaves(300)) {
            leaves.handOver(new DelegatedLeave("room", "dave", "@dave:hs", "d4", 60_000));
            leaves.joined("room", "dave");
            await("restart d4", Duration.ofSeconds(5));
            await("send d4", Duration.ofSeconds(5)); // dave is not on the SFU: the first check sends
        }
    }
}
