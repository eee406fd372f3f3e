package org.callhs.core.spi;

/**
 * What another module may do to a user's MSC4140 delayed events without an HTTP request: the
 * MatrixRTC LiveKit service keeps a participant's delayed leave alive while the SFU sees them
 * and sends it the moment the SFU reports them gone. The delayed-events module provides it;
 * without that module every action answers {@link Outcome#NOT_FOUND}.
 *
 * <p>Both actions act only on an event that {@code userId} owns and that is still scheduled,
 * with the guarantees of the client endpoints (a restart is durable when it returns; a send
 * happens once).
 */
public interface DelayedEventActions {
    /** What became of an action. */
    enum Outcome {
        /** Done: restarted, or sent (or already sent). */
        DONE,
        /** No such scheduled event of this user (cancelled, sent, failed, unknown or someone else's). */
        NOT_FOUND
    }

    /** Restarts the timer of {@code userId}'s delayed event {@code delayId}. */
    Outcome restart(String delayId, String userId);

    /** Sends {@code userId}'s delayed event {@code delayId} now. */
    Outcome sendNow(String delayId, String userId);

    /** The stand-in without the delayed-events module. */
    DelayedEventActions NONE = new DelayedEventActions() {
        @Override public Outcome restart(String delayId, String userId) { return Outcome.NOT_FOUND; }
        @Override public Outcome sendNow(String delayId, String userId) { return Outcome.NOT_FOUND; }
    };
}
