package org.callhs.core.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.callhs.core.Homeserver;
import org.callhs.core.push.PushRuleEvaluator.Outcome;
import org.callhs.core.storage.Database;
import org.callhs.core.storage.repo.PushRuleRepository;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Push rule evaluation: Client-Server API v1.16 "Push Rules" (conditions, actions, default rules). */
class PushRuleEvaluatorTest {
    private static final String ME = "@alice:example.org";
    private static final String BOB = "@bob:example.org";
    private static final String ROOM = "!room:example.org";

    private final PushRuleEvaluator evaluator = new PushRuleEvaluator();
    private final ObjectNode defaults = PushRuleService.defaultRuleset(ME);

    // ---------------------------------------------------------------- helpers

    /** Room facts for the context; tests change what they need. */
    private long members = 5;
    private Long senderLevel = 0L;
    private String displayName = "Alice";
    private Map<String, Long> levels = Map.of();

    private PushContext ctx(JsonNode event) {
        return new PushContext(event, ME, displayName, members, senderLevel, levels);
    }

    private Outcome eval(JsonNode event) {
        return evaluator.evaluate(defaults, ctx(event));
    }

    private static ObjectNode event(String type, String contentJson) {
        ObjectNode e = Json.object().put("type", type).put("sender", BOB).put("room_id", ROOM).put("event_id", "$ev:example.org");
        e.set("content", Json.parse(contentJson));
        return e;
    }

    private static ObjectNode state(String type, String stateKey, String contentJson) {
        return event(type, contentJson).put("state_key", stateKey);
    }

    private static ObjectNode message(String body) {
        ObjectNode e = event("m.room.message", "{}");
        ((ObjectNode) e.get("content")).put("msgtype", "m.text").put("body", body);
        return e;
    }

    private static ObjectNode withContent(ObjectNode event, String field, String json) {
        ((ObjectNode) event.get("content")).set(field, Json.parse(json));
        return event;
    }

    private static void assertOutcome(Outcome o, String ruleId, boolean notify, boolean highlight, String sound) {
        assertThat(o.ruleId()).as("rule").isEqualTo(ruleId);
        assertThat(o.notifies()).as("notify").isEqualTo(notify);
        assertThat(o.highlight()).as("highlight").isEqualTo(highlight);
        assertThat(o.sound()).as("sound").isEqualTo(sound);
    }

    private boolean condition(String json, JsonNode event) {
        return PushConditions.matches(Json.parse(json), ctx(event));
    }

    private static ObjectNode rule(String json) {
        return (ObjectNode) Json.parse(json);
    }

    /** Adds a user rule where {@link PushRuleService#ruleset} puts one: after .m.rule.master for override, first otherwise. */
    private static ObjectNode withUserRule(ObjectNode ruleset, String kind, ObjectNode rule) {
        ArrayNode list = (ArrayNode) ruleset.get(kind);
        list.insert(kind.equals("override") ? 1 : 0, rule);
        return ruleset;
    }

    private static ObjectNode find(ObjectNode ruleset, String kind, String ruleId) {
        for (JsonNode r : ruleset.get(kind)) if (r.get("rule_id").asText().equals(ruleId)) return (ObjectNode) r;
        throw new AssertionError("no rule " + ruleId);
    }

    // ---------------------------------------------------------------- the default rules

    @Test
    void defaultRulesetIsTheSpecsInOrderAndPersonalised() {
        List<String> overrides = new ArrayList<>();
        defaults.get("override").forEach(r -> overrides.add(r.get("rule_id").asText()));
        assertThat(overrides).containsExactly(".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.contains_display_name",
                ".m.rule.is_room_mention", ".m.rule.roomnotif", ".m.rule.tombstone", ".m.rule.reaction",
                ".m.rule.room.server_acl", ".m.rule.suppress_edits");
        List<String> underrides = new ArrayList<>();
        defaults.get("underride").forEach(r -> underrides.add(r.get("rule_id").asText()));
        assertThat(underrides).containsExactly(".m.rule.call", ".m.rule.encrypted_room_one_to_one",
                ".m.rule.room_one_to_one", ".m.rule.message", ".m.rule.encrypted");
        assertThat(find(defaults, "content", ".m.rule.contains_user_name").get("pattern").asText()).isEqualTo("alice");
        assertThat(find(defaults, "override", ".m.rule.invite_for_me").get("conditions").get(2).get("pattern").asText()).isEqualTo(ME);
    }

    @Test
    void masterIsDisabledByDefaultAndSilencesEverythingWhenEnabled() {
        assertThat(find(defaults, "override", ".m.rule.master").get("enabled").asBoolean()).isFalse();
        assertOutcome(eval(message("hi")), ".m.rule.message", true, false, null);

        find(defaults, "override", ".m.rule.master").put("enabled", true);
        Outcome o = eval(withContent(message("hi"), "m.mentions", "{\"user_ids\": [\"" + ME + "\"]}"));
        assertOutcome(o, ".m.rule.master", false, false, null);
        assertThat(o.actions()).isEmpty();
    }

    @Test
    void suppressNoticesWinsOverMentionsByName() {
        ObjectNode notice = message("Alice: the build is broken");
        ((ObjectNode) notice.get("content")).put("msgtype", "m.notice");
        assertOutcome(eval(notice), ".m.rule.suppress_notices", false, false, null);
    }

    @Test
    void inviteForMeRingsWithTheDefaultSound() {
        Outcome o = eval(state("m.room.member", ME, "{\"membership\": \"invite\"}"));
        assertOutcome(o, ".m.rule.invite_for_me", true, false, "default");
    }

    @Test
    void otherMemberEventsAreSilent() {
        assertOutcome(eval(state("m.room.member", "@carol:example.org", "{\"membership\": \"invite\"}")),
                ".m.rule.member_event", false, false, null);
        assertOutcome(eval(state("m.room.member", BOB, "{\"membership\": \"join\", \"displayname\": \"Alice\"}")),
                ".m.rule.member_event", false, false, null);
    }

    @Test
    void isUserMentionHighlights() {
        Outcome o = eval(withContent(message("hey"), "m.mentions", "{\"user_ids\": [\"@x:y\", \"" + ME + "\"]}"));
        assertOutcome(o, ".m.rule.is_user_mention", true, true, "default");
        assertOutcome(eval(withContent(message("hey"), "m.mentions", "{\"user_ids\": [\"@x:y\"]}")),
                ".m.rule.message", true, false, null);
        assertOutcome(eval(withContent(message("hey"), "m.mentions", "{\"user_ids\": \"" + ME + "\"}")),
                ".m.rule.message", true, false, null);
    }

    @Test
    void isUserMentionComesBeforeSuppressEdits() {
        ObjectNode edit = withContent(message("* fixed"), "m.relates_to", "{\"rel_type\": \"m.replace\", \"event_id\": \"$x\"}");
        assertOutcome(eval(edit), ".m.rule.suppress_edits", false, false, null);
        withContent(edit, "m.mentions", "{\"user_ids\": [\"" + ME + "\"]}");
        assertOutcome(eval(edit), ".m.rule.is_user_mention", true, true, "default");
    }

    @Test
    void containsDisplayNameHighlightsWithoutMentionsProperty() {
        assertOutcome(eval(message("is ALICE around?")), ".m.rule.contains_display_name", true, true, "default");
        assertOutcome(eval(message("Alicette is around")), ".m.rule.message", true, false, null);
    }

    @Test
    void legacyMentionRulesAreSkippedWhenTheEventHasMMentions() {
        senderLevel = 100L;
        assertOutcome(eval(withContent(message("is Alice around?"), "m.mentions", "{}")), ".m.rule.message", true, false, null);
        assertOutcome(eval(withContent(message("@room hello"), "m.mentions", "{}")), ".m.rule.message", true, false, null);
        assertOutcome(eval(withContent(message("alice: hi"), "m.mentions", "null")), ".m.rule.message", true, false, null);
    }

    @Test
    void displayNameMatchingIsLiteralAndNeedsAName() {
        displayName = "A*";
        assertOutcome(eval(message("Abc")), ".m.rule.message", true, false, null);
        assertOutcome(eval(message("hi A*!")), ".m.rule.contains_display_name", true, true, "default");
        displayName = "";
        assertOutcome(eval(message("hello")), ".m.rule.message", true, false, null);
        displayName = null;
        assertOutcome(eval(message("hello null")), ".m.rule.message", true, false, null);
    }

    @Test
    void isRoomMentionNeedsTheSendersNotificationLevel() {
        ObjectNode roomMention = withContent(message("everyone"), "m.mentions", "{\"room\": true}");
        senderLevel = 50L;
        assertOutcome(eval(roomMention), ".m.rule.is_room_mention", true, true, null);
        senderLevel = 49L;
        assertOutcome(eval(roomMention), ".m.rule.message", true, false, null);
        senderLevel = 50L;
        levels = Map.of("room", 100L);
        assertOutcome(eval(roomMention), ".m.rule.message", true, false, null);
        senderLevel = 100L;
        assertOutcome(eval(roomMention), ".m.rule.is_room_mention", true, true, null);
        senderLevel = null;
        assertOutcome(eval(roomMention), ".m.rule.message", true, false, null);
        senderLevel = 100L;
        assertOutcome(eval(withContent(message("x"), "m.mentions", "{\"room\": \"true\"}")), ".m.rule.message", true, false, null);
    }

    @Test
    void roomnotifMatchesAtRoomAsAWordFromPrivilegedSenders() {
        senderLevel = 50L;
        displayName = "Zed";
        assertOutcome(eval(message("@room: meeting now")), ".m.rule.roomnotif", true, true, null);
        assertOutcome(eval(message("ping@room")), ".m.rule.roomnotif", true, true, null);
        assertOutcome(eval(message("@roomy")), ".m.rule.message", true, false, null);
        senderLevel = 10L;
        assertOutcome(eval(message("@room: meeting now")), ".m.rule.message", true, false, null);
    }

    @Test
    void tombstoneNotifiesOnlyAsStateEvent() {
        assertOutcome(eval(state("m.room.tombstone", "", "{\"replacement_room\": \"!new:x\"}")),
                ".m.rule.tombstone", true, true, null);
        assertThat(eval(event("m.room.tombstone", "{\"replacement_room\": \"!new:x\"}")).matched()).isFalse();
        assertThat(eval(state("m.room.tombstone", "x", "{}")).matched()).isFalse();
    }

    @Test
    void reactionsAreSilent() {
        Outcome o = eval(event("m.reaction", "{\"m.relates_to\": {\"rel_type\": \"m.annotation\", \"event_id\": \"$x\", \"key\": \"👍\"}}"));
        assertOutcome(o, ".m.rule.reaction", false, false, null);
    }

    @Test
    void serverAclChangesAreSilent() {
        assertOutcome(eval(state("m.room.server_acl", "", "{\"allow\": [\"*\"]}")), ".m.rule.room.server_acl", false, false, null);
    }

    @Test
    void callInvitesRing() {
        assertOutcome(eval(event("m.call.invite", "{\"call_id\": \"c\", \"version\": 1}")), ".m.rule.call", true, false, "ring");
    }

    @Test
    void oneToOneRoomsGetTheDefaultSound() {
        members = 2;
        assertOutcome(eval(event("m.room.encrypted", "{\"algorithm\": \"m.megolm.v1.aes-sha2\"}")),
                ".m.rule.encrypted_room_one_to_one", true, false, "default");
        assertOutcome(eval(message("hello")), ".m.rule.room_one_to_one", true, false, "default");
    }

    @Test
    void groupRoomsNotifyWithoutSound() {
        members = 3;
        assertOutcome(eval(event("m.room.encrypted", "{\"algorithm\": \"m.megolm.v1.aes-sha2\"}")), ".m.rule.encrypted", true, false, null);
        assertOutcome(eval(message("hello")), ".m.rule.message", true, false, null);
    }

    @Test
    void containsUserNameContentRuleMatchesTheLocalpartAsAWord() {
        displayName = "Someone Else";
        assertOutcome(eval(message("ALICE: look")), ".m.rule.contains_user_name", true, true, "default");
        assertOutcome(eval(message("malice aforethought")), ".m.rule.message", true, false, null);
    }

    @Test
    void eventsNoRuleMatchesDoNotNotify() {
        Outcome o = eval(state("m.room.topic", "", "{\"topic\": \"Alice\"}"));
        assertThat(o.matched()).isFalse();
        assertThat(o.notifies()).isFalse();
        assertThat(o.actions()).isEmpty();
    }

    @Test
    void ownEventsNeverNotify() {
        ObjectNode mine = message("Alice mentions herself");
        mine.put("sender", ME);
        withContent(mine, "m.mentions", "{\"user_ids\": [\"" + ME + "\"]}");
        assertThat(eval(mine)).isEqualTo(Outcome.none());
    }

    // ---------------------------------------------------------------- user rules, order, enabled, actions

    @Test
    void userOverrideRulesComeAfterMasterButBeforeDefaultOverrides() {
        withUserRule(defaults, "override", rule("""
                {"rule_id": "quiet-mentions", "default": false, "enabled": true,
                 "conditions": [{"kind": "event_match", "key": "content.body", "pattern": "alice"}],
                 "actions": ["dont_notify"]}"""));
        Outcome o = eval(message("alice?"));
        assertOutcome(o, "quiet-mentions", false, false, null);
        assertThat(o.kind()).isEqualTo("override");
        assertThat(o.actions()).isEmpty();

        find(defaults, "override", ".m.rule.master").put("enabled", true);
        assertOutcome(eval(message("alice?")), ".m.rule.master", false, false, null);
    }

    @Test
    void userContentRulesPrecedeTheDefaultContentRuleAndRoomRules() {
        withUserRule(defaults, "room", rule("{\"rule_id\": \"" + ROOM + "\", \"default\": false, \"enabled\": true, \"actions\": []}"));
        withUserRule(defaults, "content", rule("""
                {"rule_id": "cake", "default": false, "enabled": true, "pattern": "cake*lie",
                 "actions": ["notify", {"set_tweak": "sound", "value": "cakealarm.wav"}]}"""));
        displayName = "Nobody";
        assertOutcome(eval(message("the cake is a lie, alice")), "cake", true, false, "cakealarm.wav");
        assertOutcome(eval(message("alice, any cake?")), ".m.rule.contains_user_name", true, true, "default");
        assertOutcome(eval(message("any cake?")), ROOM, false, false, null);
    }

    @Test
    void roomRulesMatchTheRoomIdExactly() {
        withUserRule(defaults, "room", rule("{\"rule_id\": \"" + ROOM + "\", \"default\": false, \"enabled\": true, \"actions\": []}"));
        assertOutcome(eval(message("hi")), ROOM, false, false, null);
        assertOutcome(eval(message("hi").put("room_id", "!other:example.org")), ".m.rule.message", true, false, null);
        assertOutcome(eval(message("hi").put("room_id", "!ROOM:example.org")), ".m.rule.message", true, false, null);
    }

    @Test
    void senderRulesMatchTheSenderAndComeAfterRoomRules() {
        withUserRule(defaults, "sender", rule("""
                {"rule_id": "@bob:example.org", "default": false, "enabled": true,
                 "actions": ["notify", {"set_tweak": "sound", "value": "bob.wav"}, {"set_tweak": "highlight", "value": false}]}"""));
        assertOutcome(eval(message("hi")), BOB, true, false, "bob.wav");
        assertOutcome(eval(message("hi").put("sender", "@carol:example.org")), ".m.rule.message", true, false, null);

        withUserRule(defaults, "room", rule("{\"rule_id\": \"" + ROOM + "\", \"default\": false, \"enabled\": true, \"actions\": [\"notify\"]}"));
        assertOutcome(eval(message("hi")), ROOM, true, false, null);
    }

    @Test
    void userUnderrideRulesPrecedeDefaultUnderrides() {
        withUserRule(defaults, "underride", rule("""
                {"rule_id": "all-loud", "default": false, "enabled": true, "conditions": [],
                 "actions": ["notify", {"set_tweak": "highlight"}]}"""));
        assertOutcome(eval(message("hi")), "all-loud", true, true, null);
        assertOutcome(eval(state("m.room.topic", "", "{\"topic\": \"t\"}")), "all-loud", true, true, null);
        assertOutcome(eval(event("m.reaction", "{}")), ".m.rule.reaction", false, false, null);
    }

    @Test
    void disabledRulesAreSkipped() {
        withUserRule(defaults, "override", rule("""
                {"rule_id": "off", "default": false, "enabled": false, "conditions": [], "actions": []}"""));
        assertOutcome(eval(message("hi")), ".m.rule.message", true, false, null);
        find(defaults, "underride", ".m.rule.message").put("enabled", false);
        assertThat(eval(message("hi")).matched()).isFalse();
        find(defaults, "override", ".m.rule.contains_display_name").put("enabled", false);
        find(defaults, "content", ".m.rule.contains_user_name").put("enabled", false);
        assertThat(eval(message("Alice!")).matched()).isFalse();
    }

    @Test
    void changedDefaultActionsAreUsedAndHistoricalActionsDropped() {
        find(defaults, "underride", ".m.rule.message").set("actions", Json.parse("[\"coalesce\", \"notify\", \"dont_notify\"]"));
        Outcome o = eval(message("hi"));
        assertOutcome(o, ".m.rule.message", true, false, null);
        assertThat(o.actions()).isEqualTo(Json.parse("[\"notify\"]"));
        assertThat(find(defaults, "underride", ".m.rule.message").get("actions")).hasSize(3);
    }

    @Test
    void tweaksOnlyCountWithNotifyAndTheLastHighlightWins() {
        Outcome quiet = Outcome.of("override", "x", Json.parse("[{\"set_tweak\": \"highlight\"}, {\"set_tweak\": \"sound\", \"value\": \"a\"}]"));
        assertThat(quiet.highlight()).isFalse();
        assertThat(quiet.sound()).isNull();
        assertThat(quiet.actions()).hasSize(2);
        Outcome last = Outcome.of("override", "x", Json.parse(
                "[\"notify\", {\"set_tweak\": \"highlight\"}, {\"set_tweak\": \"highlight\", \"value\": false}, {\"set_tweak\": \"custom\", \"value\": 1}]"));
        assertThat(last.highlight()).isFalse();
        assertThat(last.actions()).hasSize(4);
        assertThat(Outcome.of("override", "x", Json.parse("[\"notify\", {\"set_tweak\": \"highlight\", \"value\": true}]")).highlight()).isTrue();
        assertThat(Outcome.of("override", "x", Json.parse("[\"notify\", {\"set_tweak\": \"highlight\", \"value\": \"yes\"}]")).highlight()).isFalse();
    }

    @Test
    void ruleWithoutConditionsAlwaysMatchesAndMalformedConditionsNever() {
        withUserRule(defaults, "override", rule("{\"rule_id\": \"bare\", \"default\": false, \"enabled\": true, \"actions\": [\"notify\"]}"));
        assertOutcome(eval(event("com.example.anything", "{}")), "bare", true, false, null);
        ((ArrayNode) defaults.get("override")).remove(1);
        withUserRule(defaults, "override", rule("{\"rule_id\": \"odd\", \"default\": false, \"enabled\": true, \"conditions\": {}, \"actions\": [\"notify\"]}"));
        assertThat(eval(event("com.example.anything", "{}")).matched()).isFalse();
    }

    @Test
    void unknownConditionKindsDisableTheRule() {
        withUserRule(defaults, "override", rule("""
                {"rule_id": "future", "default": false, "enabled": true,
                 "conditions": [{"kind": "event_match", "key": "type", "pattern": "m.room.message"},
                                {"kind": "org.example.future_condition"}],
                 "actions": ["notify", {"set_tweak": "highlight"}]}"""));
        assertOutcome(eval(message("hi")), ".m.rule.message", true, false, null);
    }

    // ---------------------------------------------------------------- conditions

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            m.room.message   | true
            M.ROOM.MESSAGE   | true
            m.room.*         | true
            m.room.?essage   | true
            m.*.mess*e       | true
            *                | true
            **               | true
            m.room.message*  | true
            m.room           | false
            room.message     | false
            m.room.message?  | false
            m?room?message   | true
            m.room.messag    | false
            """)
    void globsMatchTheWholeValueCaseInsensitively(String pattern, boolean expected) {
        assertThat(PushConditions.eventMatch(message("x"), "type", pattern)).isEqualTo(expected);
    }

    @Test
    void specTopicExample() {
        String cond = "{\"kind\": \"event_match\", \"key\": \"content.topic\", \"pattern\": \"lunc?*\"}";
        assertThat(condition(cond, state("m.room.topic", "", "{\"topic\": \"Lunch plans\"}"))).isTrue();
        assertThat(condition(cond, state("m.room.topic", "", "{\"topic\": \"LUNCH\"}"))).isTrue();
        assertThat(condition(cond, state("m.room.topic", "", "{\"topic\": \" lunch\"}"))).isFalse();
        assertThat(condition(cond, state("m.room.topic", "", "{\"topic\": \"lunc\"}"))).isFalse();
        assertThat(condition(cond, state("m.room.topic", "", "{\"topic\": null}"))).isFalse();
    }

    @Test
    void absentOrNonStringValuesNeverMatchEvenStar() {
        ObjectNode e = event("t", "{\"n\": 1, \"b\": true, \"o\": {}, \"a\": [\"x\"], \"z\": null}");
        for (String key : List.of("content.n", "content.b", "content.o", "content.a", "content.z", "content.missing", "state_key")) {
            assertThat(PushConditions.eventMatch(e, key, "*")).as(key).isFalse();
        }
        assertThat(PushConditions.eventMatch(e, "type", "*")).isTrue();
    }

    @Test
    void emptyPatternMatchesOnlyTheEmptyString() {
        assertThat(PushConditions.eventMatch(state("t", "", "{}"), "state_key", "")).isTrue();
        assertThat(PushConditions.eventMatch(state("t", "x", "{}"), "state_key", "")).isFalse();
    }

    @Test
    void regexAndBackslashCharactersAreLiteral() {
        ObjectNode e = event("t", "{\"v\": \"a.c\", \"w\": \"abc\", \"r\": \"(x)+[y]{2}^$|\", \"s\": \"a\\\\b\"}");
        assertThat(PushConditions.eventMatch(e, "content.v", "a.c")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.w", "a.c")).isFalse();
        assertThat(PushConditions.eventMatch(e, "content.r", "(x)+[y]{2}^$|")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.r", "(x)+*|")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.s", "a\\b")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.s", "a\\?")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.s", "a\\*")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.w", "a\\*")).isFalse();
    }

    @Test
    void questionMarkMatchesOneCodePointAndWildcardsCrossLines() {
        ObjectNode e = event("t", "{\"emoji\": \"😀\", \"lines\": \"one\\ntwo\"}");
        assertThat(PushConditions.eventMatch(e, "content.emoji", "?")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.emoji", "??")).isFalse();
        assertThat(PushConditions.eventMatch(e, "content.lines", "one*two")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.lines", "one?two")).isTrue();
    }

    @Test
    void onlyContentBodyIsMatchedByWords() {
        ObjectNode e = state("m.room.topic", "", "{\"topic\": \"lunch plans\", \"body\": \"lunch plans\"}");
        assertThat(PushConditions.eventMatch(e, "content.topic", "lunch")).isFalse();
        assertThat(PushConditions.eventMatch(e, "content.body", "lunch")).isTrue();
    }

    @Test
    void missingKeyOrPatternNeverMatches() {
        assertThat(condition("{\"kind\": \"event_match\", \"key\": \"type\"}", message("x"))).isFalse();
        assertThat(condition("{\"kind\": \"event_match\", \"pattern\": \"*\"}", message("x"))).isFalse();
        assertThat(condition("{\"kind\": \"event_match\", \"key\": \"type\", \"pattern\": 5}", message("x"))).isFalse();
    }

    @Test
    void pathologicalPatternsStayLinear() {
        String body = "a".repeat(65_000);
        String pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertThat(PushConditions.eventMatch(message(body), "content.body", pattern)).isFalse();
            assertThat(PushConditions.eventMatch(event("t", "{\"v\": \"" + body + "\"}"), "content.v", pattern)).isFalse();
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ex*ple   | An example event.          | true
            ex*ple   | exple                      | true
            ex*ple   | An exciting triple-whammy  | true
            cake     | I like CAKE!               | true
            cake     | cakes                      | false
            cake     | pancake                    | false
            cake     | foo_cake                   | false
            cake     | cake1                      | false
            cake     | (cake)                     | true
            cake     | écake                      | true
            cake*lie | the cake is a lie          | true
            cake*lie | cake lies                  | false
            @room    | @room                      | true
            @room    | hi@room                    | true
            @room    | @roomy                     | false
            @room    | @room.                     | true
            a?c      | x abc y                    | true
            a?c      | x abbc y                   | false
            ?        | a                          | true
            alice    | @alice:example.org hi      | true
            """)
    void patternsMatchSubstringsBetweenWordBoundaries(String pattern, String body, boolean expected) {
        assertThat(PushConditions.eventMatch(message(body), "content.body", pattern)).isEqualTo(expected);
    }

    @Test
    void boundariesAndWildcardsWorkAcrossLines() {
        assertThat(PushConditions.eventMatch(message("hello\ncake"), "content.body", "cake")).isTrue();
        assertThat(PushConditions.eventMatch(message("cake\nis a lie"), "content.body", "cake*lie")).isTrue();
    }

    @Test
    void bodyMustBeAString() {
        ObjectNode e = event("m.room.message", "{\"body\": 5}");
        assertThat(PushConditions.eventMatch(e, "content.body", "*")).isFalse();
        assertThat(PushRuleEvaluator.matches("content", rule("{\"rule_id\": \"c\", \"pattern\": \"*\"}"), ctx(e))).isFalse();
        assertThat(PushRuleEvaluator.matches("content", rule("{\"rule_id\": \"c\"}"), ctx(message("x")))).isFalse();
    }

    @Test
    void escapedDotsNameOneProperty() {
        ObjectNode edit = withContent(message("x"), "m.relates_to", "{\"rel_type\": \"m.replace\"}");
        assertThat(EventPath.resolve(edit, "content.m\\.relates_to.rel_type").asText()).isEqualTo("m.replace");
        assertThat(EventPath.resolve(edit, "content.m.relates_to.rel_type")).isNull();
        assertThat(PushConditions.eventMatch(edit, "content.m\\.relates_to.rel_type", "m.replace")).isTrue();
    }

    @Test
    void nestedObjectsNamedLikeDottedPathsStayDistinct() {
        ObjectNode e = event("t", "{\"m\": {\"relates_to\": \"nested\"}, \"m.relates_to\": \"flat\"}");
        assertThat(EventPath.resolve(e, "content.m.relates_to").asText()).isEqualTo("nested");
        assertThat(EventPath.resolve(e, "content.m\\.relates_to").asText()).isEqualTo("flat");
    }

    @Test
    void backslashEscapes() {
        assertThat(EventPath.parse("content.m\\\\foo")).containsExactly("content", "m\\foo");
        assertThat(EventPath.parse("content.a\\x")).containsExactly("content", "a\\x");
        assertThat(EventPath.parse("a\\\\.b")).containsExactly("a\\", "b");
        assertThat(EventPath.parse("a\\\\\\.b")).containsExactly("a\\.b");
        assertThat(EventPath.parse("trailing\\")).containsExactly("trailing\\");
        assertThat(EventPath.parse("a..b")).containsExactly("a", "", "b");
        ObjectNode e = event("t", "{\"m\\\\foo\": \"bs\", \"a\\\\x\": \"ax\"}");
        assertThat(PushConditions.eventMatch(e, "content.m\\\\foo", "bs")).isTrue();
        assertThat(PushConditions.eventMatch(e, "content.a\\x", "ax")).isTrue();
    }

    @Test
    void pathsDoNotIndexArraysOrDescendIntoScalars() {
        ObjectNode e = event("t", "{\"list\": [\"zero\"], \"s\": \"str\"}");
        assertThat(EventPath.resolve(e, "content.list.0")).isNull();
        assertThat(EventPath.resolve(e, "content.s.length")).isNull();
        assertThat(EventPath.resolve(e, "content.list").isArray()).isTrue();
    }

    @Test
    void specFederateExample() {
        String cond = "{\"kind\": \"event_property_is\", \"key\": \"content.m\\\\.federate\", \"value\": true}";
        assertThat(condition(cond, state("m.room.create", "", "{\"m.federate\": true}"))).isTrue();
        assertThat(condition(cond, state("m.room.create", "", "{\"m.federate\": \"true\"}"))).isFalse();
        assertThat(condition(cond, state("m.room.create", "", "{\"m.federate\": 1}"))).isFalse();
        assertThat(condition(cond, state("m.room.create", "", "{}"))).isFalse();
    }

    @Test
    void exactValuesWithoutCasts() {
        ObjectNode e = event("t", "{\"s\": \"Text\", \"i\": 9007199254740991, \"small\": 2, \"n\": null, \"f\": 1.5, \"o\": {}, \"a\": [1]}");
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.s\", \"value\": \"Text\"}", e)).isTrue();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.s\", \"value\": \"text\"}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.s\", \"value\": \"T*\"}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.i\", \"value\": 9007199254740991}", e)).isTrue();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.small\", \"value\": 2}", e)).isTrue();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.small\", \"value\": \"2\"}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.n\", \"value\": null}", e)).isTrue();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.missing\", \"value\": null}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.f\", \"value\": 1.5}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.o\", \"value\": {}}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.a\", \"value\": [1]}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_is\", \"key\": \"content.s\"}", e)).isFalse();
    }

    @Test
    void specAltAliasesExample() {
        ObjectNode e = state("m.room.canonical_alias", "",
                "{\"alias\": \"#somewhere:localhost\", \"alt_aliases\": [\"#somewhere:example.org\", \"#myroom:example.com\"]}");
        String cond = "{\"kind\": \"event_property_contains\", \"key\": \"content.alt_aliases\", \"value\": \"%s\"}";
        assertThat(condition(cond.formatted("#myroom:example.com"), e)).isTrue();
        assertThat(condition(cond.formatted(":example.com"), e)).isFalse();
        assertThat(condition(cond.formatted("#MYROOM:example.com"), e)).isFalse();
    }

    @Test
    void containsNeedsAnArrayAndIgnoresCompoundElements() {
        ObjectNode e = event("t", "{\"a\": [{\"x\": 1}, [2], 3, true, null, \"s\"], \"s\": \"s\"}");
        for (String v : List.of("3", "true", "null", "\"s\"")) {
            assertThat(condition("{\"kind\": \"event_property_contains\", \"key\": \"content.a\", \"value\": " + v + "}", e)).as(v).isTrue();
        }
        assertThat(condition("{\"kind\": \"event_property_contains\", \"key\": \"content.a\", \"value\": {\"x\": 1}}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_contains\", \"key\": \"content.a\", \"value\": 2}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_contains\", \"key\": \"content.s\", \"value\": \"s\"}", e)).isFalse();
        assertThat(condition("{\"kind\": \"event_property_contains\", \"key\": \"content.none\", \"value\": \"s\"}", e)).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            2     | 2 | true
            2     | 3 | false
            ==2   | 2 | true
            <3    | 2 | true
            <2    | 2 | false
            >1    | 2 | true
            >2    | 2 | false
            >=2   | 2 | true
            >=3   | 2 | false
            <=2   | 2 | true
            <=1   | 2 | false
            =2    | 2 | false
            =<2   | 2 | false
            ' 2'  | 2 | false
            2.0   | 2 | false
            -1    | 2 | false
            two   | 2 | false
            ''    | 0 | false
            <99999999999999999999 | 2 | true
            """)
    void roomMemberCount(String is, long count, boolean expected) {
        assertThat(PushConditions.memberCount(is, count)).isEqualTo(expected);
    }

    @Test
    void memberCountNeedsAStringIs() {
        members = 2;
        assertThat(condition("{\"kind\": \"room_member_count\", \"is\": 2}", message("x"))).isFalse();
        assertThat(condition("{\"kind\": \"room_member_count\"}", message("x"))).isFalse();
        assertThat(condition("{\"kind\": \"room_member_count\", \"is\": \"2\"}", message("x"))).isTrue();
    }

    @Test
    void senderNotificationPermissionUsesTheNamedLevelOrFifty() {
        String cond = "{\"kind\": \"sender_notification_permission\", \"key\": \"%s\"}";
        senderLevel = 50L;
        assertThat(condition(cond.formatted("room"), message("x"))).isTrue();
        assertThat(condition(cond.formatted("other"), message("x"))).isTrue();
        levels = Map.of("other", 51L);
        assertThat(condition(cond.formatted("other"), message("x"))).isFalse();
        assertThat(condition("{\"kind\": \"sender_notification_permission\"}", message("x"))).isFalse();
        senderLevel = -10L;
        levels = Map.of("room", -20L);
        assertThat(condition(cond.formatted("room"), message("x"))).isTrue();
    }

    @Test
    void notificationLevelsAreReadFromPowerLevels() {
        assertThat(PushContext.notificationLevels(Json.parse("{\"notifications\": {\"room\": 20}}"))).containsEntry("room", 20L);
        assertThat(PushContext.notificationLevels(Json.parse("{\"notifications\": {\"room\": \"30\"}}"))).containsEntry("room", 30L);
        assertThat(PushContext.notificationLevels(Json.parse("{\"notifications\": {\"room\": 1.5, \"x\": \"high\"}}"))).isEmpty();
        assertThat(PushContext.notificationLevels(Json.parse("{\"users_default\": 0}"))).isEmpty();
        assertThat(PushContext.notificationLevels(null)).isEmpty();
        PushContext c = new PushContext(message("x"), ME, null, 1, 0L, null);
        assertThat(c.requiredLevel("room")).isEqualTo(50);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"kind\": \"org.example.unknown\"}",
            "{\"kind\": \"exact_event_match\", \"key\": \"type\", \"value\": \"m.room.message\"}",
            "{\"key\": \"type\", \"pattern\": \"*\"}",
            "{\"kind\": 1}",
            "\"event_match\"",
            "[]",
            "null"})
    void neverMatch(String json) {
        assertThat(condition(json, message("x"))).isFalse();
    }

    // ---------------------------------------------------------------- with rules stored through PushRuleService

    @Test
    void evaluatesTheRulesetExactlyAsTheServiceReturnsIt(@TempDir Path dir) {
        try (Database database = Database.open("jdbc:sqlite:" + dir.resolve("push.db"), 2)) {
            database.migrate(List.of(Homeserver.CORE_MIGRATIONS));
            evaluateStoredRules(new PushRuleService(database, new PushRuleRepository()));
        }
    }

    private void evaluateStoredRules(PushRuleService service) {
        assertThat(service.ruleset(ME)).isEqualTo(defaults);

        service.put(ME, "override", "cats", null, null,
                "[{\"kind\": \"event_match\", \"key\": \"content.body\", \"pattern\": \"cat*\"}]", null,
                "[\"notify\", {\"set_tweak\": \"sound\", \"value\": \"meow\"}]");
        service.put(ME, "room", ROOM, null, null, null, null, "[]");
        service.put(ME, "sender", BOB, null, null, null, null, "[\"notify\", {\"set_tweak\": \"highlight\"}]");
        service.setActions(ME, "underride", ".m.rule.message", "[\"notify\", {\"set_tweak\": \"sound\", \"value\": \"pop\"}]");

        assertOutcome(evaluator.evaluate(service.ruleset(ME), ctx(message("cats!"))), "cats", true, false, "meow");
        assertOutcome(evaluator.evaluate(service.ruleset(ME), ctx(message("dogs"))), ROOM, false, false, null);
        assertOutcome(evaluator.evaluate(service.ruleset(ME), ctx(message("dogs").put("room_id", "!b:x"))), BOB, true, true, null);
        assertOutcome(evaluator.evaluate(service.ruleset(ME), ctx(message("dogs").put("room_id", "!b:x").put("sender", "@c:x"))),
                ".m.rule.message", true, false, "pop");

        service.setEnabled(ME, "override", "cats", false);
        assertOutcome(evaluator.evaluate(service.ruleset(ME), ctx(message("cats!"))), ROOM, false, false, null);
        service.setEnabled(ME, "override", ".m.rule.master", true);
        assertOutcome(evaluator.evaluate(service.ruleset(ME), ctx(message("cats!"))), ".m.rule.master", false, false, null);
    }
}
