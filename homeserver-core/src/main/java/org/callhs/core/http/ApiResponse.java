package org.callhs.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.callhs.core.util.Json;

/** A JSON response: status, body and any extra headers. */
public record ApiResponse(int status, JsonNode body, Map<String, String> headers) {
    public static ApiResponse ok(JsonNode body) { return new ApiResponse(200, body, Map.of()); }
    public static ApiResponse empty() { return ok(Json.object()); }
    public static ApiResponse of(int status, JsonNode body) { return new ApiResponse(status, body, Map.of()); }
}
