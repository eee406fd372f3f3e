package org.callhs.bench;

/**
 * A Client-Server API call that did not succeed. {@link #errorKey()} is what the report
 * counts errors by: {@code "<status> <errcode>"} for an HTTP error (for example
 * {@code "401 M_UNKNOWN_TOKEN"}), or {@code "io <ExceptionClass>"} when no HTTP answer came.
 */
public final class RequestFailure extends Exception {

    private final String errorKey;
    private final boolean transport;

    private RequestFailure(String errorKey, String message, boolean transport, Throwable cause) {
        super(message, cause, false, false);
        this.errorKey = errorKey;
        this.transport = transport;
    }

    /** An HTTP answer with an unexpected status. */
    public static RequestFailure http(String what, int status, String errcode, String detail) {
        String key = errcode == null ? Integer.toString(status) : status + " " + errcode;
        return new RequestFailure(key, what + " answered " + key + (detail == null ? "" : ": " + detail), false, null);
    }

    /** No (complete) HTTP answer: connection refused or reset, timeout, malformed response. */
    public static RequestFailure transport(String what, Exception cause) {
        String key = "io " + cause.getClass().getSimpleName();
        return new RequestFailure(key, what + " failed: " + cause, true, cause);
    }

    public String errorKey() {
        return errorKey;
    }

    /** True when no HTTP answer came back (the caller may want to back off). */
    public boolean isTransport() {
        return transport;
    }
}
