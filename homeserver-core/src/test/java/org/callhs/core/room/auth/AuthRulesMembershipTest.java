package org.callhs.core.room.auth;

import static org.callhs.core.room.auth.RoomFixture.ALICE;
import static org.callhs.core.room.auth.RoomFixture.BOB;
import static org.callhs.core.room.auth.RoomFixture.CAROL;
import static org.callhs.core.room.auth.RoomFixture.DAVE;
import static org.callhs.core.room.auth.RoomFixture.EVE;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.event.RoomVersion;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** m.room.member: join, invite, leave (kick/unban), ban, knock, restricted joins, third-party invites. */
class AuthRulesMembershipTest {
    static List<RoomVersion> versions() { return RoomVersion.supported(); }

    @ParameterizedTest
    @MethodSource("versions")
    void memberEventsNeedStateKeyAndMembership(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.denies(room.event("m.room.member", CAROL, null, "{\"membership\": \"join\"}"), "state_key");
        room.denies(room.event("m.room.member", CAROL, CAROL, "{}"), "no membership");
        room.denies(room.event("m.room.member", CAROL, CAROL, "{\"membership\": 1}"), "no membership");
        room.denies(room.memberEvent(CAROL, CAROL, "dance"), "unknown membership");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void joinPublicRoom(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.allows(room.memberEvent(CAROL, CAROL, "join"));
        room.denies(room.memberEvent(ALICE, CAROL, "join"), "on behalf of another user");
        room.member(CAROL, "ban");
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "banned");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void joinInviteOnlyRoomNeedsInviteOrExistingJoin(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "invite");
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "requires an invite");
        room.member(CAROL, "leave");
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "requires an invite");
        room.put(room.memberEvent(ALICE, CAROL, "invite"));
        room.allows(room.memberEvent(CAROL, CAROL, "join"));
        room.member(CAROL, "join");
        room.allows(room.memberEvent(CAROL, CAROL, "join"));
        room.member(CAROL, "knock");
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "requires an invite");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void joinKnockRoomNeedsInvite(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "knock");
        if (!version.knocking()) {
            // Before v7 "knock" is an unknown join rule: nobody joins, invited or not (as Synapse).
            room.denies(room.memberEvent(CAROL, CAROL, "join"), "does not allow joining");
            room.put(room.memberEvent(ALICE, CAROL, "invite"));
            room.denies(room.memberEvent(CAROL, CAROL, "join"), "does not allow joining");
            return;
        }
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "requires an invite");
        room.put(room.memberEvent(ALICE, CAROL, "invite"));
        room.allows(room.memberEvent(CAROL, CAROL, "join"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void joinRulesAVersionLacksAllowNoJoin(RoomVersion version) {
        for (String rule : List.of("knock", "restricted", "knock_restricted")) {
            boolean known = switch (rule) {
                case "knock" -> version.knocking();
                case "restricted" -> version.restrictedJoins();
                default -> version.knockRestrictedJoins();
            };
            if (known) continue;
            RoomFixture room = RoomFixture.standard(version, rule);
            room.denies(restrictedJoin(room, CAROL, ALICE), "does not allow joining");
            room.put(room.memberEvent(ALICE, CAROL, "invite"));
            room.denies(room.memberEvent(CAROL, CAROL, "join"), "does not allow joining");
            room.allows(room.event("m.room.message", ALICE, null, "{\"body\": \"still usable\"}"));
        }
    }

    @ParameterizedTest
    @MethodSource("versions")
    void unknownOrPrivateJoinRuleRefusesJoins(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "private");
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "does not allow joining");
        room.put(room.memberEvent(ALICE, CAROL, "invite"));
        room.denies(room.memberEvent(CAROL, CAROL, "join"), "does not allow joining");
    }

    private static ObjectNode restrictedJoin(RoomFixture room, String user, String authoriser) {
        return room.event("m.room.member", user, user,
                "{\"membership\": \"join\", \"join_authorised_via_users_server\": \"" + authoriser + "\"}");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void restrictedJoinViaAuthorisingUser(RoomVersion version) {
        for (String rule : List.of("restricted", "knock_restricted")) {
            if (rule.equals("restricted") ? !version.restrictedJoins() : !version.knockRestrictedJoins()) continue;
            RoomFixture room = RoomFixture.standard(version, rule);
            room.powerLevels(version.creatorsHaveInfinitePower()
                    ? "{\"invite\": 10, \"users\": {\"@bob:a.test\": 50}}"
                    : "{\"invite\": 10, \"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50}}");
            room.member(DAVE, "join");
            room.denies(room.memberEvent(CAROL, CAROL, "join"), "without join_authorised_via_users_server");
            room.allows(restrictedJoin(room, CAROL, ALICE));
            room.denies(restrictedJoin(room, CAROL, BOB), "is not joined");
            room.member(BOB, "join");
            room.allows(restrictedJoin(room, CAROL, BOB));
            room.denies(restrictedJoin(room, CAROL, DAVE), "lacks the invite level");
            // Invited or joined users need no authoriser.
            room.put(room.memberEvent(ALICE, CAROL, "invite"));
            room.allows(room.memberEvent(CAROL, CAROL, "join"));
            // Bans win over the authoriser.
            room.member(EVE, "ban");
            room.denies(restrictedJoin(room, EVE, ALICE), "banned");
        }
    }

    @ParameterizedTest
    @MethodSource("versions")
    void invites(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "invite");
        room.allows(room.memberEvent(ALICE, CAROL, "invite"));
        room.denies(room.memberEvent(DAVE, CAROL, "invite"), "sender is not joined");
        room.member(DAVE, "invite");
        room.denies(room.memberEvent(DAVE, CAROL, "invite"), "sender is not joined");
        room.member(CAROL, "join");
        room.denies(room.memberEvent(ALICE, CAROL, "invite"), "already joined");
        room.member(EVE, "ban");
        room.denies(room.memberEvent(ALICE, EVE, "invite"), "target is banned");
        // Re-inviting an invited or departed user is fine.
        room.put(room.memberEvent(ALICE, DAVE, "invite"));
        room.allows(room.memberEvent(ALICE, DAVE, "invite"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void inviteNeedsTheInviteLevel(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "invite");
        room.member(BOB, "join").member(CAROL, "join");
        room.powerLevels(version.creatorsHaveInfinitePower()
                ? "{\"invite\": 50, \"users\": {\"@bob:a.test\": 50}}"
                : "{\"invite\": 50, \"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50}}");
        room.allows(room.memberEvent(BOB, DAVE, "invite"));
        room.denies(room.memberEvent(CAROL, DAVE, "invite"), "lacks the invite level");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void selfLeaveFromInviteJoinOrKnockOnly(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "knock");
        room.member(BOB, "join").member(CAROL, "knock").member(EVE, "ban").member(DAVE, "leave");
        room.put(room.memberEvent(ALICE, "@frank:a.test", "invite"));
        room.allows(room.memberEvent(BOB, BOB, "leave"));
        room.allows(room.memberEvent(CAROL, CAROL, "leave"));
        room.allows(room.memberEvent("@frank:a.test", "@frank:a.test", "leave"));
        room.denies(room.memberEvent(EVE, EVE, "leave"), "cannot leave with membership ban");
        room.denies(room.memberEvent(DAVE, DAVE, "leave"), "cannot leave with membership leave");
        room.denies(room.memberEvent("@nobody:a.test", "@nobody:a.test", "leave"), "cannot leave with membership null");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void kicksNeedKickLevelAndMorePowerThanTheTarget(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.members("join", BOB, CAROL, DAVE);
        room.powerLevels(version.creatorsHaveInfinitePower()
                ? "{\"kick\": 40, \"users\": {\"@bob:a.test\": 50, \"@carol:b.test\": 50}}"
                : "{\"kick\": 40, \"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50, \"@carol:b.test\": 50}}");
        room.allows(room.memberEvent(BOB, DAVE, "leave"));
        room.denies(room.memberEvent(BOB, CAROL, "leave"), "not above the target");
        room.denies(room.memberEvent(BOB, ALICE, "leave"), "not above the target");
        room.denies(room.memberEvent(DAVE, BOB, "leave"), "lacks the kick level");
        room.allows(room.memberEvent(ALICE, BOB, "leave"));
        room.denies(room.memberEvent(EVE, DAVE, "leave"), "sender is not joined");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void unbanNeedsBanAndKickLevels(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.members("join", BOB, CAROL).member(EVE, "ban");
        room.powerLevels(version.creatorsHaveInfinitePower()
                ? "{\"kick\": 20, \"ban\": 60, \"users\": {\"@bob:a.test\": 50, \"@carol:b.test\": 70}}"
                : "{\"kick\": 20, \"ban\": 60, \"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50, \"@carol:b.test\": 70}}");
        room.denies(room.memberEvent(BOB, EVE, "leave"), "ban level needed to unban");
        room.allows(room.memberEvent(CAROL, EVE, "leave"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void bansNeedBanLevelAndMorePowerThanTheTarget(RoomVersion version) {
        RoomFixture room = RoomFixture.standard(version, "public");
        room.members("join", BOB, CAROL, DAVE);
        room.powerLevels(version.creatorsHaveInfinitePower()
                ? "{\"ban\": 50, \"users\": {\"@bob:a.test\": 50, \"@carol:b.test\": 50}}"
                : "{\"ban\": 50, \"users\": {\"@alice:a.test\": 100, \"@bob:a.test\": 50, \"@carol:b.test\": 50}}");
        room.allows(room.memberEvent(BOB, DAVE, "ban"));
        room.allows(room.memberEvent(BOB, EVE, "ban"));
        room.denies(room.memberEvent(BOB, CAROL, "ban"), "not above the target");
        room.denies(room.memberEvent(DAVE, EVE, "ban"), "lacks the ban level");
        room.denies(room.memberEvent(EVE, DAVE, "ban"), "sender is not joined");
        room.allows(room.memberEvent(ALICE, BOB, "ban"));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void knockOnlyWithKnockJoinRules(RoomVersion version) {
        if (!version.knocking()) {
            for (String rule : List.of("knock", "public", "invite")) {
                RoomFixture room = RoomFixture.standard(version, rule);
                room.denies(room.memberEvent(CAROL, CAROL, "knock"), "has no knocking");
            }
            return;
        }
        for (String rule : List.of("knock", "knock_restricted")) {
            if (rule.equals("knock_restricted") && !version.knockRestrictedJoins()) {
                RoomFixture room = RoomFixture.standard(version, rule);
                room.denies(room.memberEvent(CAROL, CAROL, "knock"), "does not allow knocking");
                continue;
            }
            RoomFixture room = RoomFixture.standard(version, rule);
            room.allows(room.memberEvent(CAROL, CAROL, "knock"));
            room.denies(room.memberEvent(ALICE, CAROL, "knock"), "on behalf of another user");
            room.member(DAVE, "ban");
            room.denies(room.memberEvent(DAVE, DAVE, "knock"), "membership ban");
            room.member(DAVE, "invite");
            room.denies(room.memberEvent(DAVE, DAVE, "knock"), "membership invite");
            room.denies(room.memberEvent(ALICE, ALICE, "knock"), "membership join");
            room.member(EVE, "leave");
            room.allows(room.memberEvent(EVE, EVE, "knock"));
        }
        for (String rule : List.of("public", "invite", "restricted")) {
            RoomFixture room = RoomFixture.standard(version, rule);
            room.denies(room.memberEvent(CAROL, CAROL, "knock"), "does not allow knocking");
        }
    }

    // --- third-party invites -------------------------------------------------------------

    private static final SigningKey IDENTITY_KEY = new SigningKey("0", new byte[32]);
    private static final SigningKey OTHER_KEY = new SigningKey("0", filled(7));

    private static byte[] filled(int value) {
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, (byte) value);
        return seed;
    }

    private static RoomFixture roomWithThirdPartyInvite(RoomVersion version, boolean manyKeys) {
        RoomFixture room = RoomFixture.standard(version, "invite");
        String content = manyKeys
                ? "{\"display_name\": \"c...\", \"public_keys\": [{\"public_key\": \"AAAA\"}, {\"public_key\": \""
                        + IDENTITY_KEY.publicKeyBase64() + "\"}]}"
                : "{\"display_name\": \"c...\", \"public_key\": \"" + IDENTITY_KEY.publicKeyBase64() + "\"}";
        room.put(room.event("m.room.third_party_invite", ALICE, "tok", content));
        return room;
    }

    private static ObjectNode thirdPartyInvite(RoomFixture room, String sender, String target, String mxid, String token,
                                               SigningKey key) {
        ObjectNode signed = Json.object().put("mxid", mxid).put("token", token);
        new JsonSigner("id.test", key).sign(signed);
        ObjectNode pdu = room.memberEvent(sender, target, "invite");
        ((ObjectNode) pdu.get("content")).putObject("third_party_invite").put("display_name", "c...").set("signed", signed);
        return pdu;
    }

    @ParameterizedTest
    @MethodSource("versions")
    void thirdPartyInviteWithValidSignatureIsAllowed(RoomVersion version) {
        RoomFixture room = roomWithThirdPartyInvite(version, false);
        room.allows(thirdPartyInvite(room, ALICE, CAROL, CAROL, "tok", IDENTITY_KEY));
        RoomFixture many = roomWithThirdPartyInvite(version, true);
        many.allows(thirdPartyInvite(many, ALICE, CAROL, CAROL, "tok", IDENTITY_KEY));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void thirdPartyInviteChecks(RoomVersion version) {
        RoomFixture room = roomWithThirdPartyInvite(version, false);
        room.denies(thirdPartyInvite(room, ALICE, CAROL, CAROL, "tok", OTHER_KEY), "no third_party_invite signature matches");
        room.denies(thirdPartyInvite(room, ALICE, CAROL, DAVE, "tok", IDENTITY_KEY), "mxid does not match");
        room.denies(thirdPartyInvite(room, ALICE, CAROL, CAROL, "other", IDENTITY_KEY), "no m.room.third_party_invite");
        room.member(BOB, "join");
        room.denies(thirdPartyInvite(room, BOB, CAROL, CAROL, "tok", IDENTITY_KEY), "did not send");
        ObjectNode tampered = thirdPartyInvite(room, ALICE, CAROL, CAROL, "tok", IDENTITY_KEY);
        ((ObjectNode) tampered.at("/content/third_party_invite/signed")).put("extra", 1);
        room.denies(tampered, "no third_party_invite signature matches");
        ObjectNode unsigned = room.memberEvent(ALICE, CAROL, "invite");
        ((ObjectNode) unsigned.get("content")).putObject("third_party_invite");
        room.denies(unsigned, "no signed object");
        ObjectNode noToken = room.memberEvent(ALICE, CAROL, "invite");
        ((ObjectNode) noToken.get("content")).putObject("third_party_invite").putObject("signed").put("mxid", CAROL);
        room.denies(noToken, "lacks mxid or token");
        room.member(CAROL, "ban");
        room.denies(thirdPartyInvite(room, ALICE, CAROL, CAROL, "tok", IDENTITY_KEY), "target is banned");
    }

    @Test
    void v12CreatorsCannotBeKickedOrBannedEvenByOtherCreators() {
        RoomFixture room = RoomFixture.bare(RoomVersion.V12, ALICE, "{\"additional_creators\": [\"@bob:a.test\"]}");
        room.members("join", ALICE, BOB, CAROL).powerLevels("{\"users\": {\"@carol:b.test\": 100}}").joinRule("public");
        room.denies(room.memberEvent(CAROL, ALICE, "ban"), "not above the target");
        room.denies(room.memberEvent(CAROL, BOB, "leave"), "not above the target");
        room.denies(room.memberEvent(ALICE, BOB, "ban"), "not above the target");
        room.allows(room.memberEvent(BOB, CAROL, "ban"));
        room.allows(room.memberEvent(ALICE, CAROL, "leave"));
    }

    @Test
    void v11CreatorHasNoSpecialPowerOnceLevelsExist() {
        RoomFixture room = RoomFixture.bare(RoomVersion.V11, ALICE, null);
        room.members("join", ALICE, CAROL).powerLevels("{\"users\": {\"@carol:b.test\": 100}}").joinRule("public");
        room.allows(room.memberEvent(CAROL, ALICE, "ban"));
        room.denies(room.memberEvent(ALICE, CAROL, "ban"), "lacks the ban level");
    }
}
