package org.callhs.rtc;

/**
 * A delayed leave handed to the LiveKit service: the MSC4140 event {@code delayId} of local user
 * {@code userId}, which is that user's leave from the call whose LiveKit participant is
 * {@code identity} in LiveKit room {@code room}.
 *
 * @param timeoutMs the delayed event's delay, as the client gave it
 */
record DelegatedLeave(String room, String identity, String userId, String delayId, long timeoutMs) {}
