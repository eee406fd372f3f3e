package org.callhs.core.room.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.core.room.auth.RoomFixture.ALICE;
import static org.callhs.core.room.auth.RoomFixture.BOB;
import static org.callhs.core.room.auth.RoomFixture.CAROL;
import static org.callhs.core.room.auth.RoomFixture.DAVE;

import java.util.List;
import org.callhs.core.event.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Power level lookups, required levels, and the m.room.power_levels validation and change rules. */
class AuthRulesPowerLevelsTest {
    static List<RoomVersion> versions() { return RoomVersion.supported(); }
    static List<RoomVersion> preV12() { return List.of(RoomVersion.V10, RoomVersion.V11); }

    private static RoomFixture room(RoomVersion version, String levelsWithoutAlice) {
        RoomFixture room = RoomFixture.bare(version, ALICE, null);
        room.members("join", ALICE, BOB, CAROL, DAVE).joinRule("public");
        room.powerLevels(pl(version, levelsWithoutAlice));
        return room;
    }

    private static String pl(RoomVersion version, String contentWithoutAlice) {
        if (version.creatorsHaveInfinitePower()) return contentWithoutAlice;
        if (contentWithoutAlice.contains("\"users\": {}")) {
            return contentWithoutAlice.replace("\"users\": {}", "\"users\": {\"@alice:a.test\": 100}");
        }
        return contentWithoutAlice.replaceFirst("\"users\": \\{\"@", "\"users\": {\"@alice:a.test\": 100, \"@");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void levelsWithoutPowerLevelsEvent(RoomVersion version) {
        RoomFixture room = RoomFixture.bare(version, ALICE, null);
        assertThat(room.level(ALICE)).isEqualTo(version.creatorsHaveInfinitePower() ? Long.MAX_VALUE : 100);
        assertThat(room.level(BOB)).isZero();
        assertThat(AuthRules.requiredLevel("m.room.name", true, room.view())).isEqualTo(50);
        assertThat(AuthRules.requiredLevel("m.room.message", false, room.view())).isZero();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void levelsFromPowerLevelsEvent(RoomVersion version) {
        RoomFixture room = room(version, "{\"users_default\": 5, \"state_default\": 40, \"events_default\": 3, "
                + "\"events\": {\"m.room.name\": 70, \"m.reaction\": 1}, \"users\": {\"@bob:a.test\": 50}}");
        assertThat(room.level(ALICE)).isEqualTo(version.creatorsHaveInfinitePower() ? Long.MAX_VALUE : 100);
        assertThat(room.level(BOB)).isEqualTo(50);
        assertThat(room.level(CAROL)).isEqualTo(5);
        assertThat(AuthRules.requiredLevel("m.room.name", true, room.view())).isEqualTo(70);
        assertThat(AuthRules.requiredLevel("m.room.topic", true, room.view())).isEqualTo(40);
        assertThat(AuthRules.requiredLevel("m.reaction", false, room.view())).isEqualTo(1);
        assertThat(AuthRules.requiredLevel("m.room.message", false, room.view())).isEqualTo(3);
    }

    @Test
    void v12AdditionalCreatorsHaveInfinitePowerV11DoesNotKnowThem() {
        RoomFixture v12 = RoomFixture.bare(RoomVersion.V12, ALICE, "{\"additional_creators\": [\"@bob:a.test\"]}");
        v12.powerLevels("{\"users_default\": 10}");
        assertThat(v12.level(BOB)).isEqualTo(Long.MAX_VALUE);
        assertThat(v12.level(ALICE)).isEqualTo(Long.MAX_VALUE);
        assertThat(v12.level(CAROL)).isEqualTo(10);
        RoomFixture v11 = RoomFixture.bare(RoomVersion.V11, ALICE, "{\"additional_creators\": [\"@bob:a.test\"]}");
        assertThat(v11.level(BOB)).isZero();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void sendingNeedsTheRequiredLevel(RoomVersion version) {
        RoomFixture room = room(version, "{\"events\": {\"m.room.name\": 60, \"m.custom\": 20}, \"users\": {\"@bob:a.test\": 50}}");
        room.allows(room.event("m.room.topic", BOB, "", "{\"topic\": \"x\"}"));
        room.denies(room.event("m.room.topic", CAROL, "", "{\"topic\": \"x\"}"), "below the 50 needed");
        room.denies(room.event("m.room.name", BOB, "", "{\"name\": \"x\"}"), "below the 60 needed");
        room.allows(room.event("m.room.name", ALICE, "", "{\"name\": \"x\"}"));
        room.allows(room.event("m.room.message", CAROL, null, "{\"body\": \"x\"}"));
        room.denies(room.event("m.custom", CAROL, null, "{}"), "below the 20 needed");
        // Redactions need only their send level in the auth rules, not the redact level.
        room.allows(room.event("m.room.redaction", CAROL, null, "{\"redacts\": \"$x\"}"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void powerLevelsMustHoldIntegersOnly(RoomVersion version) {
        RoomFixture room = room(version, "{\"users\": {\"@bob:a.test\": 50}}");
        room.allows(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"ban\": 60, \"users\": {\"@bob:a.test\": 50}}")));
        if (version.integerPowerLevels()) {
            room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"ban\": \"60\", \"users\": {}}")), "ban is not an integer");
            room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"users\": {\"@bob:a.test\": \"50\"}}")),
                    "users[@bob:a.test] is not an integer");
            room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"events\": {\"m.x\": \"5\"}, \"users\": {}}")),
                    "events[m.x] is not an integer");
        } else {
            // Before v10 a string holding an integer counts as that integer (Synapse reads it with int()).
            room.allows(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"ban\": \" 60\", \"users\": {\"@bob:a.test\": \"50\"}}")));
            room.allows(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"events\": {\"m.x\": \"-5\"}, \"users\": {}}")));
            room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"ban\": \"6O\", \"users\": {}}")), "ban is not an integer");
            room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"ban\": \"1e3\", \"users\": {}}")), "ban is not an integer");
            room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"ban\": \"\", \"users\": {}}")), "ban is not an integer");
            // ... and is compared as a number: raising bob from "50" to 100 needs more than 50.
            room.put(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"users\": {\"@bob:a.test\": \"50\"}}")));
            room.denies(room.event("m.room.power_levels", BOB, "", pl(version, "{\"users\": {\"@bob:a.test\": 100}}")), "above own level 50");
        }
        room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"kick\": 1.5, \"users\": {}}")), "kick is not an integer");
        room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"invite\": true, \"users\": {}}")), "invite is not an integer");
        room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"notifications\": {\"room\": null}, \"users\": {}}")),
                "notifications[room] is not an integer");
        room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"events\": [], \"users\": {}}")), "events is not an object");
        room.denies(room.event("m.room.power_levels", ALICE, "", pl(version, "{\"users\": {\"bob\": 5}}")), "not a user ID");
        room.denies(room.event("m.room.power_levels", ALICE, "", "{\"users\": 5}"), "users is not an object");
    }

    @Test
    void v12PowerLevelsMustNotListCreators() {
        RoomFixture room = RoomFixture.bare(RoomVersion.V12, ALICE, "{\"additional_creators\": [\"@bob:a.test\"]}");
        room.members("join", ALICE, BOB);
        room.allows(room.event("m.room.power_levels", ALICE, "", "{\"users\": {\"@carol:b.test\": 50}}"));
        room.denies(room.event("m.room.power_levels", ALICE, "", "{\"users\": {\"@alice:a.test\": 100}}"), "must not list room creator");
        room.denies(room.event("m.room.power_levels", ALICE, "", "{\"users\": {\"@bob:a.test\": 100}}"), "must not list room creator");
    }

    @ParameterizedTest
    @MethodSource("preV12")
    void beforeV12TheCreatorIsListedNormally(RoomVersion version) {
        RoomFixture room = RoomFixture.bare(version, ALICE, null);
        room.member(ALICE, "join");
        room.allows(room.event("m.room.power_levels", ALICE, "", "{\"users\": {\"@alice:a.test\": 100}}"));
        // The first power levels may set anything (no previous event to compare with).
        room.allows(room.event("m.room.power_levels", ALICE, "", "{\"users\": {\"@alice:a.test\": 9000}, \"ban\": 9000}"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void powerLevelChangeRules(RoomVersion version) {
        String base = "{\"ban\": 50, \"kick\": 60, \"events\": {\"m.room.name\": 50, \"m.room.tombstone\": 80}, "
                + "\"notifications\": {\"room\": 50}, \"users\": {\"@bob:a.test\": 50, \"@carol:b.test\": 50, \"@dave:b.test\": 10}}";
        RoomFixture room = room(version, base);

        // Bob (50): may lower or raise values up to his level.
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"ban\": 50", "\"ban\": 40"))));
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"ban\": 50", "\"ban\": 50, \"redact\": 50"))));
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"ban\": 50", "\"ban\": 51"))),
                "cannot set ban to 51");
        // Bob cannot touch the kick level (60 > 50), neither change nor remove it.
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"kick\": 60", "\"kick\": 20"))),
                "cannot change kick");
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"kick\": 60, ", ""))), "cannot change kick");
        // events: old value above him blocks change/removal; new value above him blocks add/change.
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version,
                base.replace("\"m.room.tombstone\": 80", "\"m.room.tombstone\": 10"))), "cannot change events[m.room.tombstone]");
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version,
                base.replace("\"m.room.name\": 50", "\"m.room.name\": 70"))), "cannot set events[m.room.name]");
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version,
                base.replace("\"m.room.name\": 50", "\"m.room.name\": 0, \"m.room.topic\": 50"))));
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version,
                base.replace("\"m.room.name\": 50", "\"m.room.name\": 50, \"m.room.topic\": 51"))), "cannot set events[m.room.topic]");
        // notifications follow the same rules.
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version,
                base.replace("\"room\": 50", "\"room\": 90"))), "cannot set notifications[room]");
        // users: Bob may lower himself, change users below him, add users up to his level...
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@bob:a.test\": 50", "\"@bob:a.test\": 20"))));
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@dave:b.test\": 10", "\"@dave:b.test\": 50"))));
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@dave:b.test\": 10, ", "").replace(", \"@dave:b.test\": 10", ""))));
        room.allows(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@dave:b.test\": 10", "\"@dave:b.test\": 10, \"@eve:c.test\": 50"))));
        // ...but not raise anyone above himself, nor change a peer at his own level.
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@dave:b.test\": 10", "\"@dave:b.test\": 51"))),
                "cannot set users[@dave:b.test]");
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@carol:b.test\": 50", "\"@carol:b.test\": 0"))),
                "cannot change users[@carol:b.test]");
        room.denies(room.event("m.room.power_levels", BOB, "", pl(version, base.replace("\"@bob:a.test\": 50", "\"@bob:a.test\": 60"))),
                "cannot set users[@bob:a.test]");
        // Dave (10) has not the state level to send power levels at all.
        room.denies(room.event("m.room.power_levels", DAVE, "", pl(version, base)), "below the 50 needed");
    }

    @Test
    void v11AdminCannotDemoteAnotherAdminButV12CreatorCan() {
        String admins = "{\"users\": {\"@bob:a.test\": 100, \"@carol:b.test\": 100}}";
        RoomFixture v11 = RoomFixture.bare(RoomVersion.V11, ALICE, null);
        v11.members("join", ALICE, BOB, CAROL).powerLevels("{\"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 100, \"@carol:b.test\": 100}}");
        v11.denies(v11.event("m.room.power_levels", ALICE, "",
                "{\"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 0, \"@carol:b.test\": 100}}"), "cannot change users[@bob:a.test]");
        RoomFixture v12 = RoomFixture.bare(RoomVersion.V12, ALICE, null);
        v12.members("join", ALICE, BOB, CAROL).powerLevels(admins);
        v12.allows(v12.event("m.room.power_levels", ALICE, "", "{\"users\": {\"@bob:a.test\": 0, \"@carol:b.test\": 100}}"));
        // A creator may set values of any size.
        v12.allows(v12.event("m.room.power_levels", ALICE, "", "{\"ban\": 1000000, \"users\": {\"@carol:b.test\": 999999}}"));
        // Bob (100) cannot demote his peer Carol (100).
        v12.denies(v12.event("m.room.power_levels", BOB, "", "{\"users\": {\"@bob:a.test\": 100, \"@carol:b.test\": 50}}"),
                "cannot change users[@carol:b.test]");
    }
}
