package org.callhs.core.room.auth;

/**
 * An event is not allowed by the room version's authorisation rules. The message is a short
 * human-readable reason such as "sender is not joined". No stack trace is captured: failures
 * are an expected outcome (state resolution checks many events) rather than a programming error.
 */
public class AuthFailure extends RuntimeException {
    public AuthFailure(String reason) {
        super(reason, null, false, false);
    }
}
