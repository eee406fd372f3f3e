package org.callhs.core.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import org.jooq.DSLContext;

/**
 * What core asks of other servers on behalf of its clients. The federation module provides
 * it; without that module every method fails as "federation unavailable". Methods that ask a
 * remote server block and throw {@link org.callhs.core.error.MatrixException} with the error
 * the client should see (the remote's 404, or 502/504 style errors when it cannot be reached).
 */
public interface RemoteServers {
    /** {@code GET /query/profile} of a remote user; {@code field} may be null for the whole profile. */
    ObjectNode profile(String userId, String field);

    /** {@code GET /query/directory}: {@code {room_id, servers}} for a remote alias. */
    ObjectNode resolveAlias(String alias);

    /** {@code POST /user/keys/query} to one server; its answer as sent. */
    ObjectNode queryKeys(String server, ObjectNode deviceKeys, long timeoutMs);

    /** {@code POST /user/keys/claim} to one server; its answer as sent. */
    ObjectNode claimKeys(String server, ObjectNode oneTimeKeys, long timeoutMs);

    /**
     * Queues an EDU for {@code destination} in the caller's transaction: it is sent after the
     * transaction commits (call {@link #flush}) and survives restarts until delivered.
     */
    void enqueueEdu(DSLContext tx, String destination, String eduType, ObjectNode content);

    /** Starts sending what was queued for these destinations (after the queuing transaction committed). */
    void flush(Collection<String> destinations);

    /** A local user's devices or cross-signing keys changed (committed): tell the servers that share a room. */
    void deviceListChanged(String userId);

    /** Whether a real implementation (the federation module) is installed. */
    default boolean available() { return true; }
}
