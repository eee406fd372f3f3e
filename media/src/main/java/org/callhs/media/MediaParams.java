package org.callhs.media;

import org.callhs.core.api.QueryParams;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;

/** The query parameters media endpoints share, checked: a bad value is 400 naming it. */
final class MediaParams {
    /** The spec's default wait for a pending upload; longer asks are cut to {@link #MAX_TIMEOUT_MS}, as Synapse does. */
    static final long DEFAULT_TIMEOUT_MS = 20_000;
    static final long MAX_TIMEOUT_MS = 60_000;

    /** A thumbnail request's size and method. */
    record ThumbnailRequest(int width, int height, String method, boolean animated) {}

    private MediaParams() {}

    static long timeoutMs(ApiRequest request) {
        return Math.min(MAX_TIMEOUT_MS, QueryParams.atLeast(request, "timeout_ms", 0, (int) DEFAULT_TIMEOUT_MS));
    }

    static ThumbnailRequest thumbnail(ApiRequest request) {
        int width = dimension(request, "width");
        int height = dimension(request, "height");
        String method = request.query("method").orElse("scale");
        if (!method.equals("crop") && !method.equals("scale")) throw MatrixException.invalidParam("method must be crop or scale");
        return new ThumbnailRequest(width, height, method, QueryParams.bool(request, "animated", false));
    }

    private static int dimension(ApiRequest request, String name) {
        if (request.query(name).isEmpty()) throw MatrixException.missingParam("Missing integer query parameter " + name);
        int value = QueryParams.atLeast(request, name, 1, 0);
        // Nothing is thumbnailed beyond this: larger asks are answered with the original or the largest still.
        return Math.min(value, 4096);
    }

    /** The upload's {@code filename}: empty means none; at most 1024 bytes. */
    static String uploadName(ApiRequest request) {
        String name = request.query("filename").orElse("");
        if (name.isEmpty()) return null;
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            throw MatrixException.invalidParam("filename is longer than 1024 bytes");
        }
        if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) throw MatrixException.invalidParam("filename contains control characters");
        return name;
    }

    /** The upload's {@code Content-Type}, {@code application/octet-stream} when absent. */
    static String uploadType(ApiRequest request) {
        String type = request.header("Content-Type");
        if (type == null || type.isBlank()) return "application/octet-stream";
        type = type.trim();
        if (type.length() > 255 || type.chars().anyMatch(c -> c < 0x20 || c >= 0x7f)) {
            throw MatrixException.invalidParam("Content-Type must be printable ASCII of at most 255 characters");
        }
        return type;
    }

    /** The declared {@code Content-Length}, or -1 for a chunked upload. */
    static long declaredLength(ApiRequest request) {
        String length = request.header("Content-Length");
        if (length == null) return -1;
        try {
            long value = Long.parseLong(length.trim());
            if (value < 0) throw new NumberFormatException();
            return value;
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Content-Length is not a length");
        }
    }
}
