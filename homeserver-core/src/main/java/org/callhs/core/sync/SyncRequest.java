package org.callhs.core.sync;

import org.callhs.core.auth.Requester;

/**
 * One {@code GET /sync}: {@code since} is null for an initial sync; {@code setPresence} is
 * online, unavailable or offline (offline leaves presence alone, as Synapse does);
 * {@code stateAfterField} is the field rooms carry their state in when the client asked for
 * {@code use_state_after} ({@code state_after}, or {@code org.matrix.msc4222.state_after} for the
 * unstable parameter), null for the classic {@code state} section.
 */
public record SyncRequest(Requester requester, SyncToken since, SyncFilter filter, boolean fullState, long timeoutMs,
                          String setPresence, String stateAfterField) {
    public static final String STATE_AFTER = "state_after";
    public static final String UNSTABLE_STATE_AFTER = "org.matrix.msc4222.state_after";

    public SyncRequest(Requester requester, SyncToken since, SyncFilter filter, boolean fullState, long timeoutMs, String setPresence) {
        this(requester, since, filter, fullState, timeoutMs, setPresence, null);
    }

    public boolean initial() {
        return since == null;
    }
}
