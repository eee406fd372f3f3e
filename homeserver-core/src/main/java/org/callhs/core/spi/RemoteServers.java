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

    /**
     * {@code GET /make_join}, {@code /make_leave} or {@code /make_knock} on {@code server}:
     * {@code {room_version, event}}. {@code versions} are the room versions this server
     * supports (sent as {@code ver}; unused for leaves). Errors carry the remote's errcode.
     */
    default ObjectNode makeMembership(String server, String roomId, String userId, String membership, java.util.List<String> versions) {
        throw new org.callhs.core.error.MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    /**
     * {@code PUT /v2/send_join}, {@code /v2/send_leave} or {@code /v1/send_knock} on
     * {@code server} with the signed event; the remote's answer (for a join: the room's state
     * and auth chain). Errors carry the remote's errcode.
     */
    default ObjectNode sendMembership(String server, String roomId, String eventId, String membership, ObjectNode event) {
        throw new org.callhs.core.error.MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    /**
     * {@code PUT /v2/invite/{roomId}/{eventId}} on {@code server} with {@code body}
     * ({@code room_version}, {@code event}, {@code invite_room_state}); its answer
     * ({@code {"event": ...}}, the invite signed by that server too). Errors carry the remote's errcode.
     */
    default ObjectNode sendInvite(String server, String roomId, String eventId, ObjectNode body) {
        throw new org.callhs.core.error.MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    /**
     * {@code POST /publicRooms} on {@code server}: a page of its public room directory
     * ({@code chunk}, {@code next_batch}, ...). Errors carry the remote's errcode.
     */
    default ObjectNode publicRooms(String server, int limit, String since, String searchTerm) {
        throw new org.callhs.core.error.MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    /** Takes a remote media file's metadata and its bytes as they arrive. */
    @FunctionalInterface
    interface MediaSink {
        /** The remote's {@code Content-Type} and {@code Content-Disposition} (either may be null); {@code body} ends with the file. */
        void accept(String contentType, String contentDisposition, java.io.InputStream body) throws java.io.IOException;
    }

    /**
     * Downloads a media file of {@code server}'s through {@code GET /_matrix/federation/v1/media/download/{mediaId}}
     * (following its redirect, and falling back to the legacy unauthenticated download for
     * servers without authenticated media), handing it to {@code sink} as it arrives. An
     * {@link java.io.IOException} from the sink passes through. Errors: 404 {@code M_NOT_FOUND}
     * when the remote has no such media, 504 on time-out, 502 when it cannot be reached or answers nonsense.
     */
    default void fetchMedia(String server, String mediaId, long timeoutMs, MediaSink sink) throws java.io.IOException {
        throw new org.callhs.core.error.MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    /**
     * {@code GET /_matrix/federation/v1/openid/userinfo} on {@code server}: the user ID an OpenID
     * token of that server belongs to (one of that server's users, or the call fails). Errors:
     * 401 {@code M_UNKNOWN_TOKEN} when the server does not know the token, 502/504 when it cannot
     * be reached or answers nonsense.
     */
    default String openIdUserInfo(String server, String accessToken) {
        throw new org.callhs.core.error.MatrixException(org.callhs.core.error.ErrCode.UNKNOWN, 502, "Federation is not available on this server");
    }

    /** Whether a real implementation (the federation module) is installed. */
    default boolean available() { return true; }
}
