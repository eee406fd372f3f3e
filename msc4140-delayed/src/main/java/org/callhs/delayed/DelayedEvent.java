package org.callhs.delayed;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One row of {@code delayed_events}, parsed. */
record DelayedEvent(String delayId, String userId, String deviceId, String roomId, String type, String stateKey,
                    ObjectNode content, ObjectNode extraKeys, long delayMs, long dueTs, Status status, Long finalisedTs,
                    String eventId, ObjectNode error) {
    enum Status {
        SCHEDULED, SENT, CANCELLED, FAILED;

        String dbValue() { return name().toLowerCase(java.util.Locale.ROOT); }

        static Status of(String value) { return valueOf(value.toUpperCase(java.util.Locale.ROOT)); }
    }

    long scheduledAt() { return dueTs - delayMs; }
}
