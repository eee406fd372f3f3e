package org.callhs.core.room.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.callhs.core.event.RoomVersion;

/**
 * Reading power levels out of room state, and the authorisation rule for
 * {@code m.room.power_levels} events themselves (validation and change rules).
 */
public final class PowerLevels {
    private PowerLevels() {}

    /** The level of a v12 room creator: above every number a power-levels event can hold. */
    public static final long CREATOR_LEVEL = Long.MAX_VALUE;

    /** The top-level integer fields of power-levels content. */
    static final List<String> NAMED_FIELDS = List.of("users_default", "events_default", "state_default", "ban", "redact", "kick", "invite");

    private static final Map<String, Long> DEFAULTS = Map.of(
            "users_default", 0L, "events_default", 0L, "state_default", 50L,
            "ban", 50L, "redact", 50L, "kick", 50L, "invite", 0L);

    /**
     * {@code userId}'s level: infinite for v12 creators; else {@code users[userId]}, else
     * {@code users_default}; with no power-levels event, 100 for the creator and 0 for others.
     */
    public static long userLevel(String userId, StateView state, RoomVersion version) {
        JsonNode create = state.get(StateKey.CREATE).orElse(null);
        if (create != null && version.creatorsHaveInfinitePower() && Pdus.creators(create, version).contains(userId)) {
            return CREATOR_LEVEL;
        }
        JsonNode pl = state.get(StateKey.POWER_LEVELS).orElse(null);
        if (pl == null) {
            return create != null && userId != null && userId.equals(Pdus.primaryCreator(create, version)) ? 100 : 0;
        }
        JsonNode content = Pdus.content(pl);
        OptionalLong own = level(content.path("users").get(userId));
        return own.isPresent() ? own.getAsLong() : namedLevel("users_default", state);
    }

    /**
     * The level needed to send {@code eventType}: {@code events[eventType]}, else
     * {@code state_default} (50) for state events or {@code events_default} (0) otherwise.
     * The defaults also apply when the room has no power-levels event.
     */
    public static long requiredLevel(String eventType, boolean isState, StateView state) {
        JsonNode pl = state.get(StateKey.POWER_LEVELS).orElse(null);
        if (pl != null) {
            OptionalLong specific = level(Pdus.content(pl).path("events").get(eventType));
            if (specific.isPresent()) return specific.getAsLong();
        }
        return namedLevel(isState ? "state_default" : "events_default", state);
    }

    /**
     * A top-level level such as {@code invite}, {@code kick}, {@code ban} or {@code redact}, with
     * the spec's defaults (invite 0; kick, ban, redact, state_default 50; others 0).
     */
    public static long namedLevel(String name, StateView state) {
        long fallback = DEFAULTS.getOrDefault(name, 0L);
        return state.get(StateKey.POWER_LEVELS)
                .map(pl -> level(Pdus.content(pl).get(name)).orElse(fallback))
                .orElse(fallback);
    }

    /**
     * Reads a stored level leniently (stored events already passed validation; v10+ events are
     * integers): integers as they are, numeric strings parsed; anything else is absent.
     */
    static OptionalLong level(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return OptionalLong.empty();
        if (value.isIntegralNumber() && value.canConvertToLong()) return OptionalLong.of(value.longValue());
        if (value.isNumber()) return OptionalLong.of(value.longValue());
        if (value.isTextual()) {
            try {
                String text = value.textValue().strip();
                return OptionalLong.of(Long.parseLong(text.startsWith("+") ? text.substring(1) : text));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }

    private static boolean isStrictInteger(JsonNode value) {
        return value.isIntegralNumber() && value.canConvertToLong();
    }

    /**
     * A value a power-levels event of {@code version} may hold: a JSON integer (v10+), or before
     * v10 also a string holding an integer (optional sign and surrounding whitespace, as
     * Python's {@code int()} reads it, which is what Synapse applies).
     */
    private static boolean isValidLevel(JsonNode value, RoomVersion version) {
        if (isStrictInteger(value)) return true;
        if (version.integerPowerLevels() || !value.isTextual()) return false;
        return value.textValue().strip().matches("[+-]?[0-9]{1,18}");
    }

    /** A lenient user ID test matching what Synapse accepts as a {@code users} key: '@', then something, ':', something. */
    private static boolean looksLikeUserId(String key) {
        int colon = key.indexOf(':');
        return key.startsWith("@") && colon > 1 && colon < key.length() - 1;
    }

    /**
     * The rule for {@code m.room.power_levels} (rule 9 in v10/v11, rule 10 in v12): the content
     * must hold integers only; {@code users} keys must be user IDs and (v12) must not name a
     * creator; against the previous power levels, nothing may be set or unset above the
     * sender's level, and other users at or above it cannot be changed.
     */
    static void checkEvent(JsonNode pdu, String sender, long senderLevel, JsonNode create, StateView state, RoomVersion version) {
        JsonNode content = Pdus.content(pdu);
        for (String field : NAMED_FIELDS) {
            JsonNode value = content.get(field);
            if (value != null && !isValidLevel(value, version)) throw new AuthFailure("power levels: " + field + " is not an integer");
        }
        for (String map : List.of("events", "notifications", "users")) {
            JsonNode value = content.get(map);
            if (value == null) continue;
            if (!value.isObject()) throw new AuthFailure("power levels: " + map + " is not an object");
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!isValidLevel(entry.getValue(), version)) {
                    throw new AuthFailure("power levels: " + map + "[" + entry.getKey() + "] is not an integer");
                }
                if (map.equals("users") && !looksLikeUserId(entry.getKey())) {
                    throw new AuthFailure("power levels: users key " + entry.getKey() + " is not a user ID");
                }
            }
        }
        if (version.creatorsHaveInfinitePower()) {
            JsonNode users = content.path("users");
            for (String creator : Pdus.creators(create, version)) {
                if (users.has(creator)) throw new AuthFailure("power levels: users must not list room creator " + creator);
            }
        }
        String stateKey = Pdus.text(pdu, "state_key");
        JsonNode previous = state.get(StateKey.POWER_LEVELS_TYPE, stateKey == null ? "" : stateKey).orElse(null);
        if (previous == null) return;
        JsonNode old = Pdus.content(previous);

        for (String field : NAMED_FIELDS) {
            checkAlteration(field, level(old.get(field)), level(content.get(field)), senderLevel, false);
        }
        for (String map : List.of("events", "notifications")) {
            for (String key : keys(old.path(map), content.path(map))) {
                checkAlteration(map + "[" + key + "]", level(old.path(map).get(key)), level(content.path(map).get(key)),
                        senderLevel, false);
            }
        }
        for (String user : keys(old.path("users"), content.path("users"))) {
            checkAlteration("users[" + user + "]", level(old.path("users").get(user)), level(content.path("users").get(user)),
                    senderLevel, !user.equals(sender));
        }
    }

    private static Set<String> keys(JsonNode a, JsonNode b) {
        Set<String> keys = new HashSet<>();
        if (a.isObject()) a.fieldNames().forEachRemaining(keys::add);
        if (b.isObject()) b.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    /**
     * One added, changed or removed value: the old value (if any) and the new value (if any) may
     * not exceed the sender's level; for another user's entry, the old value must be strictly
     * below it.
     */
    private static void checkAlteration(String what, OptionalLong before, OptionalLong after, long senderLevel, boolean otherUser) {
        if (before.isEmpty() && after.isEmpty()) return;
        if (before.isPresent() && after.isPresent() && before.getAsLong() == after.getAsLong()) return;
        if (before.isPresent()) {
            long oldValue = before.getAsLong();
            if (otherUser ? oldValue >= senderLevel : oldValue > senderLevel) {
                throw new AuthFailure("power levels: cannot change " + what + " from " + oldValue + " with level " + senderLevel);
            }
        }
        if (after.isPresent() && after.getAsLong() > senderLevel) {
            throw new AuthFailure("power levels: cannot set " + what + " to " + after.getAsLong() + " above own level " + senderLevel);
        }
    }
}
