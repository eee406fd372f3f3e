package org.callhs.core.api;

import java.util.Optional;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;

/** Typed query-string parameters: a malformed value is 400 {@code M_INVALID_PARAM} naming the parameter. */
public final class QueryParams {
    private QueryParams() {}

    /** {@code true} or {@code false}; empty when absent. */
    public static Optional<Boolean> bool(ApiRequest request, String name) {
        return request.query(name).map(v -> switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw MatrixException.invalidParam(name + " must be true or false");
        });
    }

    /** A boolean parameter, {@code fallback} when absent. */
    public static boolean bool(ApiRequest request, String name, boolean fallback) {
        return bool(request, name).orElse(fallback);
    }

    /** An integer of at least {@code min} (larger ones are capped at {@link Integer#MAX_VALUE}), {@code fallback} when absent. */
    public static int atLeast(ApiRequest request, String name, int min, int fallback) {
        return request.query(name).map(v -> {
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw MatrixException.invalidParam(name + " must be an integer");
            }
            if (n < min) throw MatrixException.invalidParam(name + " must be at least " + min);
            return (int) Math.min(n, Integer.MAX_VALUE);
        }).orElse(fallback);
    }
}
