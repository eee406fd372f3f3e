package org.callhs.core.spi;

import java.util.List;

/**
 * Soft-failed events looked at again: each one is checked against the room's current state, and
 * one that now passes joins the timeline as a new event (a stream position, the modules' write
 * hooks, the event listeners, so clients get it in {@code /sync}). It moves neither the room's
 * forward extremities nor its state, so only events without a state key are readmitted.
 */
public interface SoftFailedEvents {
    /** Re-checks the soft-failed events {@code eventIds} of {@code roomId}; returns those now in the timeline. */
    List<String> readmit(String roomId, List<String> eventIds);
}
