package org.callhs.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code m.presence}: accepted (and counted as handled) but not applied yet; remote users'
 * presence is not tracked, so it is logged at debug level and dropped. (Typing and receipts go
 * to core's {@code RoomEdus}.)
 */
final class RoomEdus implements EduDispatcher.Handler {
    private static final Logger log = LoggerFactory.getLogger(RoomEdus.class);
    private final String type;

    RoomEdus(String type) {
        this.type = type;
    }

    @Override
    public void handle(String origin, ObjectNode content) {
        log.debug("{} from {} concerns no room shared over federation; dropped", type, origin);
    }
}
