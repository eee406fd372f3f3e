package org.callhs.core.http;

/** Who may call an endpoint. */
public enum AuthKind {
    /** No access token needed; one that is sent is ignored. */
    NONE,
    /** A token is used when present (and must then be valid), but not required. */
    OPTIONAL,
    /** A full (non-guest) account's access token. Guests get 403 {@code M_GUEST_ACCESS_FORBIDDEN}. */
    USER,
    /** Any access token, guests included (the spec's guest-accessible endpoints). */
    USER_OR_GUEST,
    /**
     * A request signed by another server ({@code Authorization: X-Matrix ...}); the requester
     * carries the verified origin. Only on the federation listener, and only when a module
     * provides the {@link org.callhs.core.spi.ServerRequestAuthenticator}.
     */
    SERVER
}
