package org.callhs.core.sync;

import org.callhs.core.auth.Requester;

/**
 * One {@code GET /sync}: {@code since} is null for an initial sync; {@code setPresence} is
 * online, unavailable or offline (offline leaves presence alone, as Synapse does).
 */
public record SyncRequest(Requester requester, SyncToken since, SyncFilter filter, boolean fullState, long timeoutMs,
                          String setPresence) {
    public boolean initial() {
        return since == null;
    }
}
