package org.callhs.core.room.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.room.auth.StateKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * State resolution v2 on hand-written DAGs: the conflict shapes Synapse's own state resolution
 * tests use (a ban against a power change, join-rule evasion, off-topic power levels, topic
 * resets, mainline sorting), restated here. Every room starts the same way: Alice creates it,
 * joins, sets power levels (herself 100) and public join rules, then Bob, Charlie and Zara
 * join and Zara posts {@code START}. Each test forks from {@code START}, merges the forks in a
 * message {@code END}, and checks the state before {@code END} against the starting state
 * overridden by the events named.
 */
class StateResolutionV2Test {
    static final String ALICE = "@alice:example.com";
    static final String BOB = "@bob:example.com";
    static final String CHARLIE = "@charlie:example.com";
    static final String ZARA = "@zara:example.com";
    static final String EVELYN = "@evelyn:example.com";

    static List<RoomVersion> versions() {
        return RoomVersion.supported().stream().filter(v -> !v.stateResolutionV21()).toList();
    }

    static TestDag room(RoomVersion version) {
        TestDag dag = new TestDag(version);
        dag.state("CREATE", StateKey.CREATE_TYPE, "", ALICE, "{\"creator\": \"" + ALICE + "\", \"room_version\": \"" + version.id() + "\"}");
        dag.member("IMA", ALICE, "join", "CREATE");
        dag.state("IPOWER", StateKey.POWER_LEVELS_TYPE, "", ALICE, "{\"users\": {\"" + ALICE + "\": 100}}", "IMA");
        dag.state("IJR", StateKey.JOIN_RULES_TYPE, "", ALICE, "{\"join_rule\": \"public\"}", "IPOWER");
        dag.member("IMB", BOB, "join", "IJR");
        dag.member("IMC", CHARLIE, "join", "IMB");
        dag.member("IMZ", ZARA, "join", "IMC");
        dag.message("START", ZARA, "IMZ");
        return dag;
    }

    static String levels(String users) {
        return "{\"users\": {" + users + "}}";
    }

    static String user(String id, int level) {
        return "\"" + id + "\": " + level;
    }

    /** The state at START with the named events in their slots. */
    static Map<StateKey, String> expected(TestDag dag, String... names) {
        Map<StateKey, String> state = new HashMap<>(dag.stateAfter("START"));
        for (String name : names) {
            ResolvableEvent event = dag.event(dag.id(name)).orElseThrow();
            state.put(event.key(), event.eventId());
        }
        return state;
    }

    @ParameterizedTest
    @MethodSource("versions")
    void banBeatsAConcurrentPowerChangeByTheBannedSide(RoomVersion version) {
        TestDag dag = room(version);
        dag.state("PA", StateKey.POWER_LEVELS_TYPE, "", ALICE, levels(user(ALICE, 100) + ", " + user(BOB, 50)), "START");
        dag.state("MA", StateKey.MEMBER_TYPE, ALICE, ALICE, "{\"membership\": \"join\"}", "PA");
        dag.state("MB", StateKey.MEMBER_TYPE, BOB, ALICE, "{\"membership\": \"ban\"}", "MA");
        dag.state("PB", StateKey.POWER_LEVELS_TYPE, "", BOB, levels(user(ALICE, 100) + ", " + user(BOB, 50)), "PA");
        dag.message("END", ZARA, "MB", "PB");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "PA", "MA", "MB"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void aJoinConcurrentWithClosingTheRoomIsDropped(RoomVersion version) {
        TestDag dag = room(version);
        dag.state("JR", StateKey.JOIN_RULES_TYPE, "", ALICE, "{\"join_rule\": \"private\"}", "START");
        dag.member("ME", EVELYN, "join", "START");
        dag.message("END", ZARA, "JR", "ME");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "JR"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void offTopicPowerLevels(RoomVersion version) {
        TestDag dag = room(version);
        dag.state("PA", StateKey.POWER_LEVELS_TYPE, "", ALICE, levels(user(ALICE, 100) + ", " + user(BOB, 50)), "START");
        dag.state("PB", StateKey.POWER_LEVELS_TYPE, "", BOB,
                levels(user(ALICE, 100) + ", " + user(BOB, 50) + ", " + user(CHARLIE, 50)), "PA");
        dag.state("PC", StateKey.POWER_LEVELS_TYPE, "", CHARLIE,
                levels(user(ALICE, 100) + ", " + user(BOB, 50) + ", " + user(CHARLIE, 0)), "PB");
        dag.message("END", ZARA, "PC", "PA");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "PC"));
    }

    /**
     * The fork the topic tests share: Alice sets a topic (T1), makes Bob a moderator (PA1), sets
     * another topic (T2) and power levels {@code pa2} (PA2); concurrently with T2 and PA2, Bob
     * re-sends PA1's levels (PB).
     */
    static TestDag topicFork(RoomVersion version, String pa2) {
        TestDag dag = room(version);
        dag.state("T1", "m.room.topic", "", ALICE, "{}", "START");
        dag.state("PA1", StateKey.POWER_LEVELS_TYPE, "", ALICE, levels(user(ALICE, 100) + ", " + user(BOB, 50)), "T1");
        dag.state("T2", "m.room.topic", "", ALICE, "{}", "PA1");
        dag.state("PA2", StateKey.POWER_LEVELS_TYPE, "", ALICE, pa2, "T2");
        dag.state("PB", StateKey.POWER_LEVELS_TYPE, "", BOB, levels(user(ALICE, 100) + ", " + user(BOB, 50)), "PA1");
        return dag;
    }

    @ParameterizedTest
    @MethodSource("versions")
    void topicBasic(RoomVersion version) {
        TestDag dag = topicFork(version, levels(user(ALICE, 100) + ", " + user(BOB, 0)));
        dag.state("T3", "m.room.topic", "", BOB, "{}", "PB");
        dag.message("END", ZARA, "PA2", "T3");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "PA2", "T2"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void topicResetByABan(RoomVersion version) {
        TestDag dag = room(version);
        dag.state("T1", "m.room.topic", "", ALICE, "{}", "START");
        dag.state("PA", StateKey.POWER_LEVELS_TYPE, "", ALICE, levels(user(ALICE, 100) + ", " + user(BOB, 50)), "T1");
        dag.state("T2", "m.room.topic", "", BOB, "{}", "PA");
        dag.state("MB", StateKey.MEMBER_TYPE, BOB, ALICE, "{\"membership\": \"ban\"}", "T2");
        dag.message("END", ZARA, "MB", "T1");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "T1", "MB", "PA"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void topicAcrossSeveralPowerChanges(RoomVersion version) {
        TestDag dag = topicFork(version, levels(user(ALICE, 100) + ", " + user(BOB, 0)));
        dag.state("T3", "m.room.topic", "", BOB, "{}", "PB");
        dag.message("MZ1", ZARA, "PA2", "T3");
        dag.state("T4", "m.room.topic", "", ALICE, "{}", "MZ1");
        dag.message("END", ZARA, "T4", "MZ1");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "T4", "PA2"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void mainlineSortPutsTheLaterPowerLevelsLast(RoomVersion version) {
        TestDag dag = topicFork(version,
                "{\"users\": {" + user(ALICE, 100) + ", " + user(BOB, 50) + "}, \"events\": {\"m.room.power_levels\": 100}}");
        dag.state("T3", "m.room.topic", "", BOB, "{}", "PA2");
        dag.state("T4", "m.room.topic", "", ALICE, "{}", "PB");
        dag.message("END", ZARA, "T4", "T3");
        assertThat(dag.stateAfter("END")).isEqualTo(expected(dag, "T3", "PA2"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void aRejectedEventNeverEntersTheState(RoomVersion version) {
        TestDag dag = room(version);
        dag.rejected("TR", "m.room.topic", "", ALICE, "{\"topic\": \"rejected\"}", "START");
        dag.state("T2", "m.room.topic", "", ALICE, "{\"topic\": \"kept\"}", "START");
        Map<StateKey, String> withRejected = new HashMap<>(dag.stateAfter("START"));
        withRejected.put(StateKey.of("m.room.topic", ""), dag.id("TR"));
        Map<StateKey, String> resolved = StateResolution.resolve(version, List.of(withRejected, dag.stateAfter("T2")), dag);
        assertThat(resolved).isEqualTo(expected(dag, "T2"));
    }
}
