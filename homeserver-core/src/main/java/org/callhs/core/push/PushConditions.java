package org.callhs.core.push;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The push rule conditions of Client-Server API v1.16, "Push Rules" &gt; "Conditions". A
 * condition of an unknown kind, or with parameters of the wrong type, does not match ("Unrecognised
 * conditions MUST NOT match any events"), which disables its rule.
 */
final class PushConditions {
    private static final List<String> BODY = List.of("content", "body");
    /** {@code room_member_count}'s {@code is}: an optional comparison, then a decimal integer. */
    private static final Pattern MEMBER_COUNT = Pattern.compile("(==|<=|>=|<|>)?([0-9]+)");

    private PushConditions() {}

    static boolean matches(JsonNode condition, PushContext ctx) {
        if (condition == null || !condition.isObject()) return false;
        String kind = condition.path("kind").textValue();
        if (kind == null) return false;
        return switch (kind) {
            case "event_match" -> eventMatch(ctx.event(), condition.path("key").textValue(), condition.path("pattern").textValue());
            case "event_property_is" -> propertyIs(ctx.event(), condition);
            case "event_property_contains" -> propertyContains(ctx.event(), condition);
            case "contains_display_name" -> containsDisplayName(ctx);
            case "room_member_count" -> memberCount(condition.path("is").textValue(), ctx.memberCount());
            case "sender_notification_permission" -> senderPermission(condition.path("key").textValue(), ctx);
            default -> false;
        };
    }

    /**
     * {@code event_match}: the glob must match the whole string at {@code key}, except for
     * {@code content.body}, where it must match words (see {@link PushGlob#matchesWords}).
     * An absent or non-string property never matches, not even {@code *}.
     */
    static boolean eventMatch(JsonNode event, String key, String pattern) {
        if (key == null || pattern == null) return false;
        JsonNode value = EventPath.resolve(event, key);
        if (value == null || !value.isTextual()) return false;
        PushGlob glob = PushGlob.of(pattern);
        return EventPath.parse(key).equals(BODY) ? glob.matchesWords(value.textValue()) : glob.matchesWhole(value.textValue());
    }

    /** {@code event_property_is}: the property is exactly {@code value}, a string, integer, boolean or null. */
    private static boolean propertyIs(JsonNode event, JsonNode condition) {
        String key = condition.path("key").textValue();
        JsonNode expected = condition.get("value");
        if (key == null || !isSimple(expected)) return false;
        JsonNode actual = EventPath.resolve(event, key);
        return actual != null && sameSimple(actual, expected);
    }

    /** {@code event_property_contains}: the property is an array with an element exactly {@code value}; other elements are ignored. */
    private static boolean propertyContains(JsonNode event, JsonNode condition) {
        String key = condition.path("key").textValue();
        JsonNode expected = condition.get("value");
        if (key == null || !isSimple(expected)) return false;
        JsonNode actual = EventPath.resolve(event, key);
        if (actual == null || !actual.isArray()) return false;
        for (JsonNode element : actual) if (sameSimple(element, expected)) return true;
        return false;
    }

    /**
     * {@code contains_display_name}: {@code content.body} contains the recipient's display name in
     * the room, between word boundaries like a content rule. An empty or missing display name never
     * matches (Synapse). Unlike Synapse, the name is literal: a {@code *} or {@code ?} in it is not
     * a wildcard.
     */
    private static boolean containsDisplayName(PushContext ctx) {
        String name = ctx.displayName();
        if (name == null || name.isEmpty()) return false;
        JsonNode body = EventPath.resolve(ctx.event(), "content.body");
        if (body == null || !body.isTextual()) return false;
        return PushGlob.literal(name).matchesWords(body.textValue());
    }

    /**
     * {@code room_member_count}: {@code is} is a decimal integer with an optional {@code ==},
     * {@code <}, {@code >}, {@code <=} or {@code >=} prefix (none means {@code ==}). Anything else,
     * spaces and a lone {@code =} included, does not match.
     */
    static boolean memberCount(String is, long count) {
        if (is == null) return false;
        Matcher m = MEMBER_COUNT.matcher(is);
        if (!m.matches()) return false;
        int cmp = BigInteger.valueOf(count).compareTo(new BigInteger(m.group(2)));
        String op = m.group(1) == null ? "==" : m.group(1);
        return switch (op) {
            case "==" -> cmp == 0;
            case "<" -> cmp < 0;
            case ">" -> cmp > 0;
            case "<=" -> cmp <= 0;
            default -> cmp >= 0;
        };
    }

    /** {@code sender_notification_permission}: the sender's level reaches {@code notifications.<key>} (default 50). */
    private static boolean senderPermission(String key, PushContext ctx) {
        if (key == null || ctx.senderPowerLevel() == null) return false;
        return ctx.senderPowerLevel() >= ctx.requiredLevel(key);
    }

    /** The values {@code event_property_is}/{@code _contains} compare: strings, integers, booleans and null (no floats). */
    private static boolean isSimple(JsonNode v) {
        return v != null && (v.isTextual() || v.isIntegralNumber() || v.isBoolean() || v.isNull());
    }

    private static boolean sameSimple(JsonNode a, JsonNode b) {
        if (!isSimple(a)) return false;
        if (a.isIntegralNumber()) return b.isIntegralNumber() && a.bigIntegerValue().equals(b.bigIntegerValue());
        if (a.isTextual()) return b.isTextual() && a.textValue().equals(b.textValue());
        if (a.isBoolean()) return b.isBoolean() && a.booleanValue() == b.booleanValue();
        return b.isNull();
    }
}
