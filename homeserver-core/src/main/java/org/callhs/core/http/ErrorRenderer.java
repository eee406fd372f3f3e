package org.callhs.core.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.Json;

/** The one place where a {@link MatrixException} becomes a response. */
public final class ErrorRenderer {
    private ErrorRenderer() {}

    public static ApiResponse render(MatrixException e) {
        ObjectNode body = Json.object();
        for (Map.Entry<String, Object> extra : e.extra().entrySet()) {
            body.set(extra.getKey(), Json.MAPPER.valueToTree(extra.getValue()));
        }
        if (e.errcode() != null) { // null only for the first user-interactive-auth challenge
            body.put("errcode", e.errcode());
            body.put("error", e.getMessage() == null ? e.errcode() : e.getMessage());
        }
        return new ApiResponse(e.status(), body, e.headers());
    }
}
