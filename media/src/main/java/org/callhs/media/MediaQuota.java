package org.callhs.media;

import org.callhs.core.error.MatrixException;
import org.jooq.DSLContext;

/**
 * The quota hook: asked before an upload is read (with its declared length) and again, in the
 * transaction that makes it visible, with its real length. A deployment with other rules (per
 * room, per plan) replaces it; {@link #byStoredBytes} is the configured one.
 */
@FunctionalInterface
interface MediaQuota {
    /** Throws the error the uploader should see when {@code userId} may not store {@code bytes} more. */
    void check(DSLContext tx, String userId, long bytes);

    /** At most {@code maxBytes} of stored local media per user (0: no quota), answered 403 {@code M_FORBIDDEN} as the spec says (Synapse answers 400). */
    static MediaQuota byStoredBytes(MediaRepository repository, long maxBytes) {
        if (maxBytes <= 0) return (tx, userId, bytes) -> {};
        return (tx, userId, bytes) -> {
            if (repository.storedBytesOf(tx, userId) + bytes > maxBytes) {
                throw new MatrixException(org.callhs.core.error.ErrCode.FORBIDDEN, 403,
                        "Media upload limit exceeded: at most " + maxBytes + " bytes of media per user");
            }
        };
    }
}
