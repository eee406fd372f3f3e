package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;

/**
 * A request to another server that did not give a usable answer: it could not be reached,
 * timed out, answered with an error status, or answered something that is not JSON.
 */
public final class FederationException extends RuntimeException {
    public enum Kind { UNREACHABLE, TIMEOUT, HTTP_ERROR, BAD_RESPONSE, DENIED }

    private final Kind kind;
    private final int status;
    private final JsonNode body;

    public FederationException(Kind kind, int status, JsonNode body, String message) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.body = body;
    }

    public Kind kind() { return kind; }
    public int status() { return status; }
    public JsonNode body() { return body; }

    /** The remote's own errcode, when it answered with a Matrix error. */
    public String errcode() {
        return body != null && body.path("errcode").isTextual() ? body.get("errcode").textValue() : null;
    }

    /**
     * The error a local client sees for it: the remote's 404 passes through as 404
     * {@code M_NOT_FOUND}, a timeout is 504, anything else 502 (the remote failed us).
     */
    /**
     * The remote's own error when it answered one ({@code errcode} and {@code error} of a 4xx),
     * so a client sees why the other server refused; else as {@link #toClientError}.
     */
    public MatrixException toRemoteError(String what) {
        if (kind == Kind.HTTP_ERROR && status >= 400 && status < 500 && body != null && body.path("errcode").isTextual()) {
            java.util.Map<String, Object> extra = new java.util.HashMap<>();
            body.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("errcode") && !e.getKey().equals("error") && e.getValue().isValueNode()) {
                    extra.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
                }
            });
            return new MatrixException(body.get("errcode").textValue(), status,
                    "The remote server refused: " + body.path("error").asText(what), extra, java.util.Map.of());
        }
        return toClientError(what);
    }

    public MatrixException toClientError(String what) {
        if (kind == Kind.HTTP_ERROR && status == 404) return MatrixException.notFound(what + " was not found");
        if (kind == Kind.TIMEOUT) return new MatrixException(ErrCode.UNKNOWN, 504, "Timed out asking the remote server for " + what);
        return new MatrixException(ErrCode.UNKNOWN, 502, "Failed to get " + what + " from the remote server: " + getMessage());
    }
}
