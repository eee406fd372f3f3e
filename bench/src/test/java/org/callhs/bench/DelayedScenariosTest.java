package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelayedScenariosTest {

    private static final long MS = 1_000_000L;

    @Test
    void readsTimelineAndStateEventsWithTheirStateKeysAndTimestamps() throws Exception {
        SyncEvents response = SyncEvents.parse("""
                {"next_batch":"s9","rooms":{"join":{
                  "!a:hs":{"timeline":{"limited":true,"events":[
                      {"type":"m.room.message","content":{"msgtype":"m.text","body":"one"},"origin_server_ts":1700000000123},
                      {"type":"org.matrix.msc3401.call.member","state_key":"_@u:hs_RTC1","content":{},"origin_server_ts":5}]},
                           "state":{"events":[{"type":"org.matrix.msc3401.call.member","state_key":"_@u:hs_RTC2","content":{}}]}},
                  "!b:hs":{"timeline":{"events":[]}}}}}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(response.nextBatch()).isEqualTo("s9");
        assertThat(response.limitedTimelines()).isEqualTo(1);
        assertThat(response.events()).containsExactly(
                new SyncEvents.Event("org.matrix.msc3401.call.member", "_@u:hs_RTC2", null, -1),
                new SyncEvents.Event("m.room.message", null, "one", 1700000000123L),
                new SyncEvents.Event("org.matrix.msc3401.call.member", "_@u:hs_RTC1", null, 5));
        assertThatThrownBy(() -> SyncEvents.parse("{}".getBytes(StandardCharsets.UTF_8))).isInstanceOf(RequestFailure.class);
    }

    @Test
    void ledgerRecordsLatenessFromTheChosenDueTimeAndCountsMissingAndEarlyFirings() {
        DueEventLedger ledger = new DueEventLedger();
        DueEvent onTime = ledger.scheduling("on-time", 0, 3000, true);
        onTime.acknowledged(5 * MS);                       // due at the latest 3005 ms
        DueEvent early = ledger.scheduling("early", 0, 3000, true);
        early.acknowledged(5 * MS);
        DueEvent lost = ledger.scheduling("lost", 0, 3000, true);
        lost.acknowledged(5 * MS);
        DueEvent warmUp = ledger.scheduling("warm-up", 0, 3000, false);
        DueEvent refused = ledger.scheduling("refused", 0, 3000, true);
        ledger.failed(refused);
        assertThat(ledger.outstanding()).isEqualTo(3);
        assertThatThrownBy(() -> ledger.scheduling("lost", 0, 1, true)).isInstanceOf(IllegalArgumentException.class);

        ledger.seen("on-time", 3025 * MS, 1_700_000_003_005L);
        ledger.seen("on-time", 3999 * MS, -1);             // a second sighting counts for nothing
        ledger.seen("early", 2999 * MS, -1);               // before sent + delay: fired too early
        ledger.seen("warm-up", 3100 * MS, -1);
        ledger.seen("refused", 3100 * MS, -1);
        ledger.seen("unknown", 1, -1);
        assertThat(ledger.outstanding()).isEqualTo(1);

        UserRecorder recorder = new UserRecorder(List.of(DueEventLedger.LATENESS, DueEventLedger.ORIGIN_TS_VS_DUE));
        DueEventLedger.Outcome outcome = ledger.settle(recorder, DueEvent::latestDueNanos);
        assertThat(outcome).isEqualTo(new DueEventLedger.Outcome(3, 2, 1, 1, 2));
        SeriesResult lateness = SeriesResult.merge(DueEventLedger.LATENESS, List.of(recorder));
        assertThat(lateness.stats().count()).isEqualTo(2);
        assertThat(lateness.stats().minNanos()).isEqualTo(-6 * MS);
        assertThat(lateness.stats().maxNanos()).isEqualTo(20 * MS);
        assertThat(lateness.errors()).containsEntry("missing", 1L).containsEntry("early", 1L);
        assertThat(warmUp.isSeen()).isTrue();
    }

    @Test
    void massExpiryMakesEveryEventDueAtTheMiddleOfTheWindowAtTheEarliest() {
        RunWindow window = new RunWindow(0, 2_000 * MS, 22_000 * MS);
        long due = MassExpiryScenario.dueAt(window);
        assertThat(due).isEqualTo(12_000 * MS);
        assertThat(MassExpiryScenario.delayMillis(2_000 * MS, due)).isEqualTo(10_000);
        long sent = 2_000 * MS + 1;                        // rounded up: never due before T
        assertThat(sent + MassExpiryScenario.delayMillis(sent, due) * MS).isGreaterThanOrEqualTo(due);
        assertThat(MassExpiryScenario.delayMillis(due + 5 * MS, due)).isEqualTo(1);
    }

    @Test
    void matrixRtcGroupsParticipantsIntoAccountsAndRoomsAndKillsFivePercentAMinute() {
        MatrixRtcScenario rtc = new MatrixRtcScenario("run", 41, ScenarioOptions.DEFAULTS);
        assertThat(rtc.rooms()).isEqualTo(20);
        assertThat(rtc.killIntervalNanos()).isEqualTo(600 * MS);  // 100 participants a minute
        assertThat(rtc.workerOf(0)).isEqualTo(1);
        assertThat(rtc.workerOf(39)).isEqualTo(40);
        assertThat(rtc.workerOf(40)).isEqualTo(1);
        assertThat(rtc.figures()).containsEntry("participants", 2000).containsEntry("accounts", 200)
                .containsEntry("leaveDelayMs", 8000L).containsEntry("targetRestartsPerSecond", 400.0);

        MatrixRtcScenario small = new MatrixRtcScenario("run", 3, new ScenarioOptions(0, 0, 105, Duration.ofSeconds(6)));
        assertThat(small.rooms()).isEqualTo(2);           // 11 accounts: rooms of 10 and 1
        assertThat(small.figures()).containsEntry("accounts", 11).containsEntry("leaveDelayMs", 6000L);
        assertThatThrownBy(() -> new MatrixRtcScenario("run", 3, new ScenarioOptions(0, 0, 10, Duration.ofSeconds(5))))
                .hasMessageContaining("--delay");
    }

    @Test
    void heartbeatsSpreadAccountsOverRoomsOfTen() {
        HeartbeatScenario heartbeats = new HeartbeatScenario("run", 64, ScenarioOptions.DEFAULTS);
        assertThat(heartbeats.rooms()).isEqualTo(10);
        assertThat(HeartbeatScenario.roomOf(0)).isZero();
        assertThat(HeartbeatScenario.roomOf(99)).isEqualTo(9);
        assertThat(heartbeats.figures()).containsEntry("scheduledEvents", 100_000).containsEntry("accounts", 100);
        assertThat(new HeartbeatScenario("run", 4, new ScenarioOptions(500, 25, 0, null)).rooms()).isEqualTo(3);
    }

    @Test
    void delayedScenariosAreKnownAndNeedAWatcherAndTheirOptions() {
        assertThat(Scenario.names()).contains("heartbeats", "punctuality", "mass-expiry", "matrixrtc");
        assertThat(Scenario.named("heartbeats", "run", 8).driver(0, 8)).isInstanceOf(ClosedLoopDriver.class);
        Scenario punctuality = Scenario.named("punctuality", "run", 2);
        assertThat(punctuality.seriesNames()).containsExactly("lateness", "origin-ts-vs-due", "schedule", "poll");
        assertThat(punctuality.longestRequest()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> punctuality.driver(0, 2)).hasMessageContaining("--rate");
        assertThat(punctuality.driver(20, 2)).isInstanceOf(WatchedDriver.class);
        assertThat(Scenario.named("mass-expiry", "run", 21).driver(0, 21)).isInstanceOf(WatchedDriver.class);
        assertThat(Scenario.named("matrixrtc", "run", 3).seriesNames()).containsExactly("restart", "leave-lateness", "join", "poll");
        assertThatThrownBy(() -> Scenario.named("matrixrtc", "run", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Scenario.named("mass-expiry", "run", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScenarioOptions(-1, 0, 0, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScenarioOptions(0, 0, 0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void delayedEventPathsEncodeTheirIds() {
        assertThat(MatrixClient.pathSegment("syd_abc/def")).isEqualTo("syd_abc%2Fdef");
        assertThat(MatrixClient.pathSegment("_@u:hs_RTC1")).isEqualTo("_%40u%3Ahs_RTC1");
    }
}
