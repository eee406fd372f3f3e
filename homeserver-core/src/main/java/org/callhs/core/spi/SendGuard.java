package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;
import org.jooq.DSLContext;

/**
 * Work a module does in the same database transaction as an event it sends, so that the event
 * and the module's own record of it commit together or not at all. MSC4140 claims the delayed
 * event in {@link #claim} (a conditional update that throws when the event is no longer
 * scheduled or no longer due) and records the event ID in {@link #written}: a delayed event is
 * then sent exactly once, whatever crashes in between.
 */
public interface SendGuard {
    /** Runs first inside the send's transaction, under the room's write lock; throw to abort the send. */
    void claim(DSLContext tx);

    /** Runs after the event is written, in the same transaction. */
    void written(DSLContext tx, PersistedEvent event);

    SendGuard NONE = new SendGuard() {
        @Override public void claim(DSLContext tx) { }
        @Override public void written(DSLContext tx, PersistedEvent event) { }
    };
}
