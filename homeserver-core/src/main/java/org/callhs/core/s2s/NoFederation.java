package org.callhs.core.s2s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.spi.RemoteServers;
import org.jooq.DSLContext;

/** How core answers for other servers when no federation module is installed. */
public final class NoFederation implements RemoteServers {
    private static MatrixException unavailable() {
        return new MatrixException(ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    @Override public ObjectNode profile(String userId, String field) { throw MatrixException.notFound("Profile was not found"); }
    @Override public ObjectNode resolveAlias(String alias) { throw MatrixException.notFound("Room alias not found"); }
    @Override public ObjectNode queryKeys(String server, ObjectNode deviceKeys, long timeoutMs) { throw unavailable(); }
    @Override public ObjectNode claimKeys(String server, ObjectNode oneTimeKeys, long timeoutMs) { throw unavailable(); }
    @Override public void enqueueEdu(DSLContext tx, String destination, String eduType, ObjectNode content) { }
    @Override public void flush(Collection<String> destinations) { }
    @Override public void deviceListChanged(String userId) { }
    @Override public boolean available() { return false; }
}
