package org.callhs.delayed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.auth.Requester;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.UnsignedContributor;

/** {@code unsigned["org.matrix.msc4140.delay_id"]} on an event a delayed event became, for its sender's devices only. */
final class DelayIdUnsigned implements UnsignedContributor {
    @Override
    public void contribute(PersistedEvent event, Requester requester, long now, ObjectNode unsigned) {
        if (requester == null || !requester.userId().equals(event.sender())) return;
        String delayId = event.internalText(DelayedEventFirer.DELAY_ID_KEY);
        if (delayId != null) unsigned.put(DelayedEventFirer.DELAY_ID_KEY, delayId);
    }
}
