package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.jooq.DSLContext;

/**
 * Hears, inside the transaction that stores it, an event from another server that passed the
 * checks against its auth events and the state before it but failed the one against the current
 * state ("soft failure"): it is kept, out of every timeline. A module that wants such events
 * looked at again later (MSC4354 sticky events) notes them here and asks
 * {@link SoftFailedEvents#readmit} when the room's state changed.
 */
@FunctionalInterface
public interface SoftFailedHook {
    void softFailed(DSLContext tx, String roomId, String eventId, ObjectNode pdu);
}
