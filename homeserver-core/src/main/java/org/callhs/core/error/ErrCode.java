package org.callhs.core.error;

/** Matrix error codes used by the server (Client-Server API, "Standard error response"). */
public final class ErrCode {
    private ErrCode() {}

    public static final String FORBIDDEN = "M_FORBIDDEN";
    public static final String UNKNOWN_TOKEN = "M_UNKNOWN_TOKEN";
    public static final String MISSING_TOKEN = "M_MISSING_TOKEN";
    public static final String USER_LOCKED = "M_USER_LOCKED";
    public static final String USER_DEACTIVATED = "M_USER_DEACTIVATED";
    public static final String BAD_JSON = "M_BAD_JSON";
    public static final String NOT_JSON = "M_NOT_JSON";
    public static final String NOT_FOUND = "M_NOT_FOUND";
    public static final String BAD_ALIAS = "M_BAD_ALIAS";
    public static final String LIMIT_EXCEEDED = "M_LIMIT_EXCEEDED";
    public static final String UNRECOGNIZED = "M_UNRECOGNIZED";
    public static final String UNKNOWN = "M_UNKNOWN";
    public static final String USER_IN_USE = "M_USER_IN_USE";
    public static final String INVALID_USERNAME = "M_INVALID_USERNAME";
    public static final String EXCLUSIVE = "M_EXCLUSIVE";
    public static final String GUEST_ACCESS_FORBIDDEN = "M_GUEST_ACCESS_FORBIDDEN";
    public static final String MISSING_PARAM = "M_MISSING_PARAM";
    public static final String INVALID_PARAM = "M_INVALID_PARAM";
    public static final String TOO_LARGE = "M_TOO_LARGE";
    public static final String UNSUPPORTED_ROOM_VERSION = "M_UNSUPPORTED_ROOM_VERSION";
    public static final String WEAK_PASSWORD = "M_WEAK_PASSWORD";
    public static final String INVALID_SIGNATURE = "M_INVALID_SIGNATURE";
    public static final String WRONG_ROOM_KEYS_VERSION = "M_WRONG_ROOM_KEYS_VERSION";
    /** MSC4186: a sliding sync {@code pos} this server does not know (expired, or another connection's). */
    public static final String UNKNOWN_POS = "M_UNKNOWN_POS";
    /** A third-party identifier (email, phone) this server does not accept. */
    public static final String THREEPID_DENIED = "M_THREEPID_DENIED";
    /** Server-Server API: a request without a valid X-Matrix signature. */
    public static final String UNAUTHORIZED = "M_UNAUTHORIZED";
    public static final String INCOMPATIBLE_ROOM_VERSION = "M_INCOMPATIBLE_ROOM_VERSION";
    public static final String UNABLE_TO_AUTHORISE_JOIN = "M_UNABLE_TO_AUTHORISE_JOIN";
    public static final String UNABLE_TO_GRANT_JOIN = "M_UNABLE_TO_GRANT_JOIN";
}
