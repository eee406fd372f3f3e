package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;

/** What became of one draft of a batch: the event it became, or the error that refused it (then nothing of it was written). */
public record SendOutcome(PersistedEvent event, RuntimeException error) {
    public boolean sent() { return event != null; }
}
