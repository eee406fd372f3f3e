package org.callhs.core.auth;

/**
 * The authenticated caller of a request. On the Client-Server API: user, device and kind of
 * account ({@code origin} is null). On the Server-Server API ({@code AuthKind.SERVER}): the
 * origin server whose X-Matrix signature was verified ({@code userId} and the rest are null).
 */
public record Requester(String userId, String deviceId, boolean guest, boolean admin, String tokenHash, String origin) {
    /** A user's requester (Client-Server API). */
    public Requester(String userId, String deviceId, boolean guest, boolean admin, String tokenHash) {
        this(userId, deviceId, guest, admin, tokenHash, null);
    }

    /** A server's requester: a request signed by {@code origin} (Server-Server API). */
    public static Requester server(String origin) {
        return new Requester(null, null, false, false, null, origin);
    }

    public boolean isServer() { return origin != null; }
}
