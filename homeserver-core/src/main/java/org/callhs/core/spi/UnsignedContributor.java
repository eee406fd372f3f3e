package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.auth.Requester;
import org.callhs.core.room.PersistedEvent;

/**
 * Adds per-requester fields to the {@code unsigned} object of an event served to a client
 * (e.g. MSC4140's {@code org.matrix.msc4140.delay_id} for the sender only).
 */
@FunctionalInterface
public interface UnsignedContributor {
    void contribute(PersistedEvent event, Requester requester, long now, ObjectNode unsigned);
}
