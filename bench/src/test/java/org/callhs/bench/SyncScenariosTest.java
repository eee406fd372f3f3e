package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyncScenariosTest {

    @Test
    void readsNextBatchRoomsAndTheBodiesOfTimelineAndToDeviceEvents() throws Exception {
        SyncBatch batch = SyncBatch.parse("""
                {"next_batch":"s72_4%2F1 x","rooms":{"join":{
                  "!a:hs":{"timeline":{"events":[{"type":"m.room.message","content":{"msgtype":"m.text","body":"one"}},
                                                  {"type":"m.room.member","content":{"membership":"join"}}]}},
                  "!b:hs":{"timeline":{"events":[{"content":{"body":"two"}}],"limited":false}},
                  "!c:hs":{"state":{"events":[]}}},
                  "leave":{"!d:hs":{"timeline":{"events":[{"content":{"body":"left"}}]}}}},
                 "to_device":{"events":[{"sender":"@s:hs","type":"x","content":{"body":"three"}},{"content":{"body":7}}]}}
                """.getBytes(StandardCharsets.UTF_8));
        assertThat(batch.nextBatch()).isEqualTo("s72_4%2F1 x");
        assertThat(batch.joinedRooms()).isEqualTo(3);
        assertThat(batch.bodies()).containsExactly("one", "two", "three");
        assertThat(SyncBatch.parse("{\"next_batch\":\"t\"}".getBytes(StandardCharsets.UTF_8)).bodies()).isEmpty();
    }

    @Test
    void aResponseWithoutNextBatchIsAFailure() {
        assertThatThrownBy(() -> SyncBatch.parse("{}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RequestFailure.class).extracting(e -> ((RequestFailure) e).errorKey()).isEqualTo("200 NO_NEXT_BATCH");
        assertThatThrownBy(() -> SyncBatch.parse("<html>".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RequestFailure.class).extracting(e -> ((RequestFailure) e).errorKey()).isEqualTo("200 NOT_JSON");
    }

    @Test
    void syncPathEncodesTheTokenAndTheFilter() {
        assertThat(MatrixClient.pathSegment("s1_2 3/4")).isEqualTo("s1_2%203%2F4");
        assertThat(MatrixClient.pathSegment(LongPoller.FILTER)).startsWith("%7B%22room%22%3A");
    }

    @Test
    void pollersAreSplitIntoRoomsAndEachMessageIsDueToItsRoom() {
        RoomFanOutScenario idle = RoomFanOutScenario.idleLongPolls("run", 1001);
        assertThat(idle.rooms()).isEqualTo(100);
        assertThat(idle.pollersIn(0)).isEqualTo(10);
        assertThat(idle.pollersIn(99)).isEqualTo(10);
        assertThat(idle.roomOfMessage(1)).isZero();
        assertThat(idle.roomOfMessage(100)).isEqualTo(99);
        assertThat(idle.roomOfMessage(101)).isZero();
        assertThat(idle.recipients(5)).isEqualTo(10);

        RoomFanOutScenario uneven = RoomFanOutScenario.idleLongPolls("run", 26); // 25 pollers: 10, 10, 5
        assertThat(uneven.rooms()).isEqualTo(3);
        assertThat(uneven.pollersIn(2)).isEqualTo(5);
        assertThat(uneven.recipients(3)).isEqualTo(5);

        RoomFanOutScenario oneRoom = RoomFanOutScenario.deliveryLatency("run", 101);
        assertThat(oneRoom.rooms()).isEqualTo(1);
        assertThat(oneRoom.recipients(1)).isEqualTo(100);
        assertThat(oneRoom.recipients(77)).isEqualTo(100);
    }

    @Test
    void toDeviceDevicesAreGroupedTenToAnAccount() {
        ToDeviceBurstScenario burst = new ToDeviceBurstScenario("run", 501);
        assertThat(burst.recipients(1)).isEqualTo(500);
        assertThat(ToDeviceBurstScenario.accountOf(0)).isEqualTo(ToDeviceBurstScenario.accountOf(9)).isEqualTo("t0");
        assertThat(ToDeviceBurstScenario.accountOf(10)).isEqualTo("t1");
        assertThat(ToDeviceBurstScenario.accountOf(499)).isEqualTo("t49");
        assertThat(ToDeviceBurstScenario.registers(0)).isTrue();
        assertThat(ToDeviceBurstScenario.registers(10)).isTrue();
        assertThat(ToDeviceBurstScenario.registers(11)).isFalse();
    }

    @Test
    void fanOutScenariosNeedASenderAPollerAndARate() {
        assertThatThrownBy(() -> Scenario.named("delivery-latency", "run", 1)).isInstanceOf(IllegalArgumentException.class);
        Scenario scenario = Scenario.named("to-device-burst", "run", 3);
        assertThat(scenario.seriesNames()).containsExactly("delivery", "all-delivered", "send", "poll");
        assertThat(scenario.longestRequest()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> scenario.driver(0, 3)).hasMessageContaining("--rate");
        assertThat(scenario.driver(5, 3)).isInstanceOf(FanOutDriver.class);
        assertThat(Scenario.named("initial-sync", "run", 4).driver(0, 4)).isInstanceOf(ClosedLoopDriver.class);
        assertThat(Scenario.names()).contains("delivery-latency", "initial-sync", "idle-long-polls", "to-device-burst");
    }

    @Test
    void trackerRecordsEachMeasuredDeliveryAndTheLatestArrivalOfTheLastOne() {
        DeliveryTracker tracker = new DeliveryTracker();
        List<String> series = List.of(DeliveryTracker.DELIVERY, DeliveryTracker.ALL_DELIVERED);
        UserRecorder a = new UserRecorder(series);
        UserRecorder b = new UserRecorder(series);
        tracker.sending("m1", 1_000, true, 2);
        tracker.sending("warm", 1_000, false, 2);
        assertThat(tracker.missing()).isEqualTo(2);

        tracker.delivered("warm", 5_000, a);
        tracker.delivered("unknown", 5_000, a);
        tracker.delivered("m1", 9_000, b);      // arrived last, reported first
        assertThat(tracker.missing()).isEqualTo(1);
        tracker.delivered("m1", 4_000, a);      // arrived first, reported last: completes m1
        tracker.delivered("m1", 12_000, a);     // a duplicate counts for nothing
        assertThat(tracker.missing()).isZero();

        SeriesResult deliveries = SeriesResult.merge(DeliveryTracker.DELIVERY, List.of(a, b));
        assertThat(deliveries.stats().count()).isEqualTo(2);
        assertThat(deliveries.stats().minNanos()).isEqualTo(3_000);
        assertThat(deliveries.stats().maxNanos()).isEqualTo(8_000);
        SeriesResult allDelivered = SeriesResult.merge(DeliveryTracker.ALL_DELIVERED, List.of(a, b));
        assertThat(allDelivered.stats().count()).isEqualTo(1);
        assertThat(allDelivered.stats().maxNanos()).isEqualTo(8_000);
        assertThatThrownBy(() -> tracker.sending("m1", 1, true, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void awaitingDeliveriesGivesUpAtTheDeadline() {
        DeliveryTracker tracker = new DeliveryTracker();
        tracker.sending("m", 0, true, 3);
        long start = System.nanoTime();
        tracker.awaitAllDelivered(start + 20_000_000L);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(20_000_000L);
        assertThat(tracker.missing()).isEqualTo(3);
    }
}
