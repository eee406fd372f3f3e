package org.callhs.rtc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.Json;

/**
 * A request body of the LiveKit service, read strictly as lk-jwt-service reads it: an object
 * with known keys only, strings where strings belong and whole numbers where numbers do.
 * Not JSON: 400 {@code M_NOT_JSON}; an unknown key or a value of the wrong type: 400
 * {@code M_BAD_JSON} naming it. Absent and empty strings read as empty, for the endpoints'
 * own "missing" checks.
 */
final class TokenRequest {
    private final JsonNode body;

    private TokenRequest(JsonNode body) {
        this.body = body;
    }

    /** Reads {@code bytes} as an object with only {@code keys}; nested objects are checked by {@link #object}. */
    static TokenRequest parse(byte[] bytes, Set<String> keys) {
        JsonNode body;
        try {
            body = bytes.length == 0 ? null : Json.parse(bytes);
        } catch (IOException e) {
            throw MatrixException.notJson("Error reading request: the body is not JSON");
        }
        if (body == null || !body.isObject()) throw MatrixException.notJson("Error reading request: the body is not a JSON object");
        onlyKnown(body, keys, "");
        return new TokenRequest(body);
    }

    private static void onlyKnown(JsonNode object, Set<String> keys, String where) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!keys.contains(name)) throw MatrixException.badJson("Unknown field '" + where + name + "'");
        }
    }

    /** A nested object with only {@code keys}; an empty one when absent or null. */
    TokenRequest object(String name, Set<String> keys) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) return new TokenRequest(Json.object());
        if (!value.isObject()) throw MatrixException.badJson("'" + name + "' must be an object");
        onlyKnown(value, keys, name + ".");
        return new TokenRequest(value);
    }

    /** A string field; "" when absent or null. */
    String string(String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) return "";
        if (!value.isTextual()) throw MatrixException.badJson("'" + name + "' must be a string");
        return value.textValue();
    }

    /** A whole-number field; 0 when absent or null. */
    long number(String name) {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) return 0;
        if (!value.isIntegralNumber() || !value.canConvertToLong()) throw MatrixException.badJson("'" + name + "' must be a whole number");
        return value.longValue();
    }
}
