package org.callhs.delayed;

import java.util.Optional;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;

/** Reads a delay in milliseconds from a query parameter or body field: an integer of 0 or more. */
final class DelayQueryParameter {
    static final String NAME = "org.matrix.msc4140.delay";

    private DelayQueryParameter() {}

    static Optional<Long> read(ApiRequest request) {
        return request.query(NAME).map(value -> parse(value, NAME));
    }

    static long parse(String value, String name) {
        long delay;
        try {
            delay = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw MatrixException.invalidParam("Query parameter '" + name + "' must be an integer");
        }
        if (delay < 0) throw MatrixException.invalidParam("Query parameter '" + name + "' must be a positive integer");
        return delay;
    }
}
