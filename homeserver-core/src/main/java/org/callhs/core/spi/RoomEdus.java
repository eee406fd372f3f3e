package org.callhs.core.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Room-bound EDUs from other servers, applied by core: each touches only the sending server's
 * own users who are joined to the room here; anything else is ignored.
 */
public interface RoomEdus {
    /** An {@code m.typing} EDU's content: {@code room_id}, {@code user_id}, {@code typing}. */
    void typing(String origin, JsonNode content);

    /** An {@code m.receipt} EDU's content: room ID to receipt type to user to {@code {event_ids, data}}. */
    void receipts(String origin, JsonNode content);

    /** An {@code m.presence} EDU's content: {@code push}, a list of {@code {user_id, presence, last_active_ago, status_msg}}. */
    default void presence(String origin, JsonNode content) {}
}
