package org.callhs.core.spi;

import org.callhs.core.room.EventDraft;
import org.callhs.core.room.PersistedEvent;

/**
 * Sends events on a user's behalf from a module, through the same path as a client's
 * {@code PUT /send} or {@code /state}: content checks, the authorization rules (membership
 * changes included: a {@code leave} for another user is a kick), signing and persistence.
 */
public interface EventSender {
    /** Sends {@code draft}; {@code guard} runs inside the event's transaction. Throws the client-facing error on refusal. */
    PersistedEvent send(EventDraft draft, SendGuard guard);

    /**
     * Sends drafts for one room in one transaction (one commit), each with its guard: a refused
     * draft is reported in its outcome and the others are sent.
     */
    java.util.List<SendOutcome> sendAll(String roomId, java.util.List<EventDraft> drafts, java.util.List<SendGuard> guards);

    /**
     * The checks a send makes before the authorization rules: 404 {@code M_NOT_FOUND} for a room
     * this server does not have, 400 for content the event type does not allow.
     */
    void checkSendable(EventDraft draft);
}
