package org.callhs.core.spi;

import org.callhs.core.room.PersistedEvent;
import org.jooq.DSLContext;

/**
 * Work a module does in the same database transaction as an event it sends, so that the event
 * and the module's own record of it commit together or not at all. MSC4140 claims the delayed
 * event in {@link #claim} (a conditional update: false when the event is no longer scheduled or
 * no longer due) and records the event ID in {@link #written}: a delayed event is then sent
 * exactly once, whatever crashes in between.
 *
 * <p>In a batch ({@link EventSender#sendAll}) the guards run in one transaction, in order; a
 * draft refused by its claim, the content checks or the authorization rules has written nothing
 * (the writer refuses before its first write), and its guard's {@link #refused} runs in the same
 * transaction.
 */
public interface SendGuard {
    /** Runs first inside the send's transaction, under the room's write lock; false skips the draft. */
    boolean claim(DSLContext tx);

    /** Runs after the event is written, in the same transaction. */
    void written(DSLContext tx, PersistedEvent event);

    /** Runs in the same transaction when a claimed draft was refused (batches only). */
    default void refused(DSLContext tx, RuntimeException error) { }

    /** What a send answers when its guard's claim returned false. */
    final class NotClaimed extends RuntimeException {
        public NotClaimed() { super("not claimed", null, false, false); }
    }

    SendGuard NONE = new SendGuard() {
        @Override public boolean claim(DSLContext tx) { return true; }
        @Override public void written(DSLContext tx, PersistedEvent event) { }
    };
}
