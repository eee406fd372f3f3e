package org.callhs.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoomScenariosTest {

    @Test
    void everyRoomHasExactlyOneSenderAndACreatorThatIsNotIt() {
        for (int users : new int[] {1, 2, 3, 16, 99, 100}) {
            List<Integer> seen = new ArrayList<>();
            for (int user = 0; user < users; user++) {
                for (int room : SendManyRoomsScenario.roomsOf(user, users, 100)) {
                    seen.add(room);
                    assertThat(room % users).isEqualTo(user);
                    if (users > 1) {
                        assertThat(SendManyRoomsScenario.creatorOf(room, users)).isNotEqualTo(user);
                    }
                }
            }
            assertThat(seen).hasSize(100).doesNotHaveDuplicates();
        }
    }

    @Test
    void userSendsToItsRoomsInTurn() {
        assertThat(SendManyRoomsScenario.roomsOf(3, 16, 100)).containsExactly(3, 19, 35, 51, 67, 83, 99);
        assertThat(SendManyRoomsScenario.roomsOf(4, 16, 100)).containsExactly(4, 20, 36, 52, 68, 84);
        SendManyRoomsScenario scenario = new SendManyRoomsScenario("run", 16, 100);
        assertThat(scenario.roomOfMessage(3, 1)).isEqualTo(3);
        assertThat(scenario.roomOfMessage(3, 2)).isEqualTo(19);
        assertThat(scenario.roomOfMessage(3, 7)).isEqualTo(99);
        assertThat(scenario.roomOfMessage(3, 8)).isEqualTo(3);
    }

    @Test
    void moreUsersThanRoomsShareRooms() {
        assertThat(SendManyRoomsScenario.roomsOf(0, 150, 100)).containsExactly(0);
        assertThat(SendManyRoomsScenario.roomsOf(120, 150, 100)).containsExactly(20);
        assertThat(SendManyRoomsScenario.roomsOf(99, 150, 100)).containsExactly(99);
    }

    @Test
    void transactionIdsAreUniquePerRunUserAndMessage() {
        Set<String> ids = new HashSet<>();
        for (int user = 0; user < 12; user++) {
            for (long n = 1; n <= 12; n++) {
                ids.add(SendOneRoomScenario.txnId("abc", user, n));
            }
        }
        assertThat(ids).hasSize(144);
        assertThat(SendOneRoomScenario.txnId("abc", 1, 11)).isNotEqualTo(SendOneRoomScenario.txnId("abc", 11, 1));
    }

    @Test
    void encodesPathSegments() {
        assertThat(MatrixClient.pathSegment("!abc:localhost")).isEqualTo("%21abc%3Alocalhost");
        assertThat(MatrixClient.pathSegment("bench.x1_2-3~")).isEqualTo("bench.x1_2-3~");
        assertThat(MatrixClient.pathSegment("a/b é")).isEqualTo("a%2Fb%20%C3%A9");
    }

    @Test
    void knowsTheRoomScenarios() {
        assertThat(Scenario.names()).contains("send-one-room", "send-100-rooms", "create-room");
        assertThat(Scenario.named("send-100-rooms", "run", 16).seriesNames()).containsExactly("send");
        assertThat(Scenario.named("send-one-room", "run", 16).setupSteps()).hasSize(2);
        assertThat(Scenario.named("create-room", "run", 4).seriesNames()).containsExactly("createRoom");
    }

    @Test
    void reportShowsBothServersAndTheirRatio() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var callhs = new ScenarioRuns("callhs", Map.of("status", "ok", "hwm_kib", "204800"), Map.of(
                "send-one-room", json.readTree("""
                        {"series":[{"name":"send","throughput":1000.0,"latencyMs":{"p50":2.0,"p90":3.0,"p99":5.0,"p99.9":9.0,"max":20.0},
                          "errorCount":0,"errors":{}}],"server":{"cpuMicrosPerIteration":400.0,"cpuCores":0.4,"rssKiBAtEnd":102400},
                          "generator":{"cpuCores":0.1}}""")));
        var synapse = new ScenarioRuns("synapse", Map.of("status", "ok"), Map.of(
                "send-one-room", json.readTree("""
                        {"series":[{"name":"send","throughput":100.0,"latencyMs":{"p50":20.0},"errorCount":3,
                          "errors":{"500 M_UNKNOWN":3}}]}""")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScenarioReport.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), Map.of("date", "today"),
                Map.of("one_room_users", "16"), List.of(callhs, synapse), new RoomsReport());
        String report = bytes.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("| send-one-room throughput (messages/s) ↑ | 1000 | 100 | 10.00 |");
        assertThat(report).contains("| send-one-room p50 (ms) ↓ | 2.00 | 20.00 | 0.10 |");
        assertThat(report).contains("| send-one-room errors ↓ | 0 | 3 | 0.00 |");
        assertThat(report).contains("| create-room throughput (rooms/s) ↑ | n/a | n/a | n/a |");
        assertThat(report).contains("| peak RSS over the run, VmHWM (MiB) ↓ | 200.0 | n/a | n/a |");
        assertThat(report).contains("- synapse send-one-room errors: {send 500 M_UNKNOWN=3}");
        assertThat(report).contains("send-one-room: 16 users");
    }
}
