package org.callhs.federation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code m.typing}, {@code m.receipt} and {@code m.presence}: room-bound EDUs. They are accepted
 * (and counted as handled) but apply only to rooms this server shares with the origin over
 * federation, which the federated-rooms work brings; until then there is nothing they can
 * change here, so they are logged at debug level and dropped.
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
