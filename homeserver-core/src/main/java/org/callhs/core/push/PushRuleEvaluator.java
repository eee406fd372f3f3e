package org.callhs.core.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Set;
import org.callhs.core.util.Json;

/**
 * Evaluates a user's push rules against one event (Client-Server API v1.16, "Push Rules").
 *
 * <p>The rules are the user's effective rule set as {@link PushRuleService#ruleset} returns it
 * ({@code {"override": [...], "content": [...], "room": [...], "sender": [...], "underride": [...]}},
 * each kind already in priority order). Kinds are tried in that order and the first enabled rule
 * whose conditions all hold decides; disabled rules never match. By kind:
 * <ul>
 * <li>{@code override} and {@code underride}: every condition of {@code conditions} must hold
 *     (see {@link PushConditions}); no conditions always matches.
 * <li>{@code content}: {@code pattern} matches words of {@code content.body}, like
 *     {@code event_match} on that key.
 * <li>{@code room} / {@code sender}: {@code rule_id} equals the event's {@code room_id} /
 *     {@code sender} (exactly: identifiers are case-sensitive).
 * </ul>
 *
 * <p>Beyond the conditions:
 * <ul>
 * <li>Events the user sent never notify them ("Homeservers MUST NOT notify the Push Gateway for
 *     events that the user has sent themselves"): the outcome is {@link Outcome#none()}.
 * <li>The deprecated mention rules {@code .m.rule.contains_display_name}, {@code .m.rule.roomnotif}
 *     and {@code .m.rule.contains_user_name} are skipped when the content has an {@code m.mentions}
 *     property, whatever its value (spec v1.7: "should only be enabled if the event does not have an
 *     m.mentions property"; Synapse does the same).
 * <li>The historical actions {@code dont_notify} and {@code coalesce} are dropped ("Historical
 *     Actions"), so {@code ["dont_notify"]} is an empty action list.
 * </ul>
 * Stateless and thread-safe.
 */
public final class PushRuleEvaluator {
    private static final Set<String> LEGACY_MENTION_RULES = Set.of(
            "override/.m.rule.contains_display_name", "override/.m.rule.roomnotif", "content/.m.rule.contains_user_name");

    /**
     * The result for one recipient.
     *
     * @param ruleId the rule that matched, or null when none did (then nothing notifies)
     * @param kind that rule's kind, or null
     * @param notifies whether the actions contain {@code notify} (named so because {@code notify()} is {@link Object}'s)
     * @param highlight whether a notification is highlighted: a {@code highlight} tweak without a
     *     value or with {@code true} (the last one wins), and only when {@code notifies}
     * @param sound the {@code sound} tweak's string value when {@code notifies}, or null
     * @param actions the matched rule's actions without the historical ones (empty when none matched)
     */
    public record Outcome(String ruleId, String kind, boolean notifies, boolean highlight, String sound, ArrayNode actions) {
        /** No rule matched: nothing notifies. */
        public static Outcome none() {
            return new Outcome(null, null, false, false, null, Json.array());
        }

        public boolean matched() {
            return ruleId != null;
        }

        static Outcome of(String kind, String ruleId, JsonNode rawActions) {
            ArrayNode actions = Json.array();
            boolean notify = false;
            boolean highlight = false;
            String sound = null;
            for (JsonNode action : rawActions) {
                if (action.isTextual() && (action.textValue().equals("dont_notify") || action.textValue().equals("coalesce"))) continue;
                actions.add(action.deepCopy());
                if (action.isTextual() && action.textValue().equals("notify")) notify = true;
                String tweak = action.path("set_tweak").textValue();
                if ("highlight".equals(tweak)) {
                    JsonNode value = action.get("value");
                    highlight = value == null || (value.isBoolean() && value.booleanValue());
                } else if ("sound".equals(tweak)) {
                    sound = action.path("value").textValue();
                }
            }
            return new Outcome(ruleId, kind, notify, notify && highlight, notify ? sound : null, actions);
        }
    }

    /** The outcome of {@code ruleset} (as {@link PushRuleService#ruleset} returns it) for the event and recipient of {@code ctx}. */
    public Outcome evaluate(JsonNode ruleset, PushContext ctx) {
        if (ctx.userId().equals(ctx.event().path("sender").textValue())) return Outcome.none();
        boolean hasMentions = ctx.event().path("content").has("m.mentions");
        for (String kind : PushRuleService.KINDS) {
            for (JsonNode rule : ruleset.path(kind)) {
                String ruleId = rule.path("rule_id").textValue();
                if (ruleId == null || !rule.path("enabled").asBoolean(true)) continue;
                if (hasMentions && LEGACY_MENTION_RULES.contains(kind + "/" + ruleId)) continue;
                if (matches(kind, rule, ctx)) return Outcome.of(kind, ruleId, rule.path("actions"));
            }
        }
        return Outcome.none();
    }

    /** Whether the rule's conditions (explicit or implied by its kind) hold; {@code enabled} is not looked at. */
    static boolean matches(String kind, JsonNode rule, PushContext ctx) {
        JsonNode event = ctx.event();
        String ruleId = rule.path("rule_id").textValue();
        return switch (kind) {
            case "override", "underride" -> allHold(rule.get("conditions"), ctx);
            case "content" -> PushConditions.eventMatch(event, "content.body", rule.path("pattern").textValue());
            case "room" -> ruleId != null && ruleId.equals(event.path("room_id").textValue());
            case "sender" -> ruleId != null && ruleId.equals(event.path("sender").textValue());
            default -> false;
        };
    }

    private static boolean allHold(JsonNode conditions, PushContext ctx) {
        if (conditions == null || conditions.isNull()) return true;
        if (!conditions.isArray()) return false;
        for (JsonNode condition : conditions) if (!PushConditions.matches(condition, ctx)) return false;
        return true;
    }
}
