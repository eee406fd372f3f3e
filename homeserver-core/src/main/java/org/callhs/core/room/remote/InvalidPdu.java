package org.callhs.core.room.remote;

/**
 * A PDU dropped on receipt (bad format, bad signature): it is not stored, and the reason goes
 * back to the sending server in the {@code /send} answer.
 */
public final class InvalidPdu extends RuntimeException {
    public InvalidPdu(String reason) {
        super(reason, null, false, false);
    }
}
