package org.callhs.sticky;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.OptionalLong;
import org.callhs.core.auth.Requester;
import org.callhs.core.room.PersistedEvent;
import org.callhs.core.spi.UnsignedContributor;

/**
 * {@code unsigned.msc4354_sticky_duration_ttl_ms} on every served event that is sticky right now:
 * the milliseconds left until it expires. Absent once expired (never zero or negative) and on a
 * redacted event, which lost its sticky key. MSC4354, "Sticky events in /sync".
 */
final class StickyTtl implements UnsignedContributor {
    static final String FIELD = "msc4354_sticky_duration_ttl_ms";

    @Override
    public void contribute(PersistedEvent event, Requester requester, long now, ObjectNode unsigned) {
        if (event.redactedBy() != null) return;
        OptionalLong expiry = StickyDuration.expiry(event.pdu(), now);
        if (expiry.isPresent() && expiry.getAsLong() > now) unsigned.put(FIELD, expiry.getAsLong() - now);
    }
}
