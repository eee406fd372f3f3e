package org.callhs.core.push;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What push rules are evaluated against, for one event and one recipient.
 *
 * @param event the event in client format ({@code type}, {@code sender}, {@code room_id},
 *     {@code content}, {@code state_key} for state events, ...)
 * @param userId the recipient whose rules are evaluated
 * @param displayName the recipient's display name in the room, or null
 *     ({@code contains_display_name} never matches without one)
 * @param memberCount the room's joined member count ({@code room_member_count})
 * @param senderPowerLevel the sender's power level in the room, or null when unknown
 *     ({@code sender_notification_permission} then never matches, as in Synapse)
 * @param notificationPowerLevels the {@code notifications} levels of the room's power levels
 *     ({@link #notificationLevels}); a missing key requires {@value #DEFAULT_NOTIFICATION_LEVEL}
 */
public record PushContext(JsonNode event, String userId, String displayName, long memberCount,
                          Long senderPowerLevel, Map<String, Long> notificationPowerLevels) {
    /** The level a {@code notifications} key requires when the power levels do not set it (spec: {@code room} defaults to 50). */
    public static final long DEFAULT_NOTIFICATION_LEVEL = 50;

    public PushContext {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(userId, "userId");
        notificationPowerLevels = notificationPowerLevels == null ? Map.of() : Map.copyOf(notificationPowerLevels);
    }

    /** The power level a sender needs to trigger notifications of type {@code key} (e.g. {@code room}). */
    public long requiredLevel(String key) {
        return notificationPowerLevels.getOrDefault(key, DEFAULT_NOTIFICATION_LEVEL);
    }

    /**
     * The {@code notifications} levels of an {@code m.room.power_levels} content (null for a room
     * without one). Integers are taken as they are; strings holding an integer (rooms of versions
     * before 10 may have them) are parsed; other values are dropped, so the default applies.
     */
    public static Map<String, Long> notificationLevels(JsonNode powerLevelsContent) {
        Map<String, Long> levels = new HashMap<>();
        if (powerLevelsContent == null) return levels;
        powerLevelsContent.path("notifications").properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isIntegralNumber() && v.canConvertToLong()) {
                levels.put(e.getKey(), v.longValue());
            } else if (v.isTextual()) {
                try {
                    levels.put(e.getKey(), Long.parseLong(v.textValue().strip()));
                } catch (NumberFormatException ignored) {
                    // not an integer: the default applies
                }
            }
        });
        return levels;
    }
}
