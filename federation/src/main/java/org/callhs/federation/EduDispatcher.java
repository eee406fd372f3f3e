package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each inbound EDU to the handler of its {@code edu_type}. Unknown types are ignored (the
 * spec lets servers send EDUs others do not know), as are EDUs of the wrong shape, which are
 * logged; nothing here fails the transaction.
 */
final class EduDispatcher {
    private static final Logger log = LoggerFactory.getLogger(EduDispatcher.class);

    /** Handles one EDU type; {@code origin} is the verified sending server. */
    @FunctionalInterface
    interface Handler {
        void handle(String origin, ObjectNode content);
    }

    private final Map<String, Handler> handlers;

    EduDispatcher(Map<String, Handler> handlers) {
        this.handlers = Map.copyOf(handlers);
    }

    void dispatch(String origin, JsonNode edu) {
        if (!(edu instanceof ObjectNode object) || !object.path("edu_type").isTextual() || !(object.get("content") instanceof ObjectNode content)) {
            log.info("ignoring a malformed EDU from {}", origin);
            return;
        }
        Handler handler = handlers.get(object.get("edu_type").textValue());
        if (handler == null) {
            log.debug("ignoring EDU of unknown type {} from {}", object.get("edu_type").textValue(), origin);
            return;
        }
        handler.handle(origin, content);
    }
}
