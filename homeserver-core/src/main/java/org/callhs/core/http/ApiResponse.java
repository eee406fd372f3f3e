package org.callhs.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.callhs.core.util.Json;

/**
 * A response: status, extra headers, and either a JSON body or, for media, a {@link RawBody}
 * ({@code raw} is null for JSON answers).
 */
public record ApiResponse(int status, JsonNode body, Map<String, String> headers, RawBody raw) {
    public ApiResponse(int status, JsonNode body, Map<String, String> headers) { this(status, body, headers, null); }

    public static ApiResponse ok(JsonNode body) { return new ApiResponse(200, body, Map.of()); }
    public static ApiResponse empty() { return ok(Json.object()); }
    public static ApiResponse of(int status, JsonNode body) { return new ApiResponse(status, body, Map.of()); }

    /** A non-JSON answer whose bytes are streamed by {@code raw}. */
    public static ApiResponse raw(int status, RawBody raw, Map<String, String> headers) {
        return new ApiResponse(status, null, headers, raw);
    }
}
