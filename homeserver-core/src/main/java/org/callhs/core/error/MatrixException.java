package org.callhs.core.error;

import java.util.Map;

/**
 * The one error type of the server. Thrown anywhere, rendered to a Matrix error body
 * ({@code {"errcode","error", ...extra}}) in exactly one place: {@link org.callhs.core.http.ErrorRenderer}.
 */
public final class MatrixException extends RuntimeException {
    private final String errcode;
    private final int status;
    private final Map<String, Object> extra;
    private final Map<String, String> headers;

    public MatrixException(String errcode, int status, String message) {
        this(errcode, status, message, Map.of(), Map.of());
    }

    public MatrixException(String errcode, int status, String message, Map<String, Object> extra,
                           Map<String, String> headers) {
        super(message, null, false, false);
        this.errcode = errcode;
        this.status = status;
        this.extra = Map.copyOf(extra);
        this.headers = Map.copyOf(headers);
    }

    public String errcode() { return errcode; }
    public int status() { return status; }
    /** Extra top-level fields of the error body (e.g. {@code retry_after_ms}, UIA flows). */
    public Map<String, Object> extra() { return extra; }
    /** Extra response headers (e.g. {@code Retry-After}). */
    public Map<String, String> headers() { return headers; }

    public static MatrixException badJson(String message) { return new MatrixException(ErrCode.BAD_JSON, 400, message); }
    public static MatrixException notJson(String message) { return new MatrixException(ErrCode.NOT_JSON, 400, message); }
    public static MatrixException invalidParam(String message) { return new MatrixException(ErrCode.INVALID_PARAM, 400, message); }
    public static MatrixException missingParam(String message) { return new MatrixException(ErrCode.MISSING_PARAM, 400, message); }
    public static MatrixException forbidden(String message) { return new MatrixException(ErrCode.FORBIDDEN, 403, message); }
    public static MatrixException notFound(String message) { return new MatrixException(ErrCode.NOT_FOUND, 404, message); }
    public static MatrixException unrecognized(int status, String message) { return new MatrixException(ErrCode.UNRECOGNIZED, status, message); }

    public static MatrixException limitExceeded(long retryAfterMs) {
        long seconds = Math.max(1, (retryAfterMs + 999) / 1000);
        return new MatrixException(ErrCode.LIMIT_EXCEEDED, 429, "Too many requests",
                Map.of("retry_after_ms", retryAfterMs), Map.of("Retry-After", Long.toString(seconds)));
    }
}
