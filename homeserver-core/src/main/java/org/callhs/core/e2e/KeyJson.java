package org.callhs.core.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.Json;

/**
 * Shape checks for the key objects of the end-to-end encryption endpoints: anything of the
 * wrong JSON type is 400 {@code M_BAD_JSON} naming the field; a missing required field is 400
 * {@code M_MISSING_PARAM}.
 */
final class KeyJson {
    /** Longest accepted algorithm name, key ID or device ID in a key name, in characters. */
    static final int MAX_ID_LENGTH = 255;

    private KeyJson() {}

    /** The field as an object; null when absent or JSON null. */
    static ObjectNode optionalObject(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!(node instanceof ObjectNode object)) throw MatrixException.badJson(field + " must be an object");
        return object;
    }

    static ObjectNode requireObject(ObjectNode body, String field) {
        ObjectNode object = optionalObject(body, field);
        if (object == null) throw MatrixException.missingParam("Missing parameter: " + field);
        return object;
    }

    static String requireString(ObjectNode body, String field, String where) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) throw MatrixException.missingParam("Missing parameter: " + where + "." + field);
        if (!node.isTextual()) throw MatrixException.badJson(where + "." + field + " must be a string");
        return node.textValue();
    }

    /** A value that must be a JSON object, e.g. a map entry; {@code where} names it in the error. */
    static ObjectNode asObject(JsonNode node, String where) {
        if (!(node instanceof ObjectNode object)) throw MatrixException.badJson(where + " must be an object");
        return object;
    }

    /** {@code signatures}: a map from user ID to a map from key ID to signature string. */
    static void checkSignatures(JsonNode signatures, String where, boolean required) {
        if (signatures == null || signatures.isNull()) {
            if (required) throw MatrixException.missingParam("Missing parameter: " + where + ".signatures");
            return;
        }
        ObjectNode byUser = asObject(signatures, where + ".signatures");
        for (Iterator<Map.Entry<String, JsonNode>> it = byUser.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> user = it.next();
            ObjectNode byKey = asObject(user.getValue(), where + ".signatures." + user.getKey());
            byKey.forEach(sig -> {
                if (!sig.isTextual()) throw MatrixException.badJson(where + ".signatures values must be strings");
            });
        }
    }

    /** Map of strings to strings (e.g. a key object's {@code keys}). */
    static ObjectNode requireStringMap(ObjectNode body, String field, String where) {
        ObjectNode map = optionalObject(body, field);
        if (map == null) throw MatrixException.missingParam("Missing parameter: " + where + "." + field);
        map.forEach(v -> {
            if (!v.isTextual()) throw MatrixException.badJson(where + "." + field + " values must be strings");
        });
        return map;
    }

    /** Splits a key name {@code <algorithm>:<key_id>}; exactly one colon, both parts non-empty. */
    static String[] keyName(String name, String where) {
        int colon = name.indexOf(':');
        if (colon <= 0 || colon == name.length() - 1 || name.indexOf(':', colon + 1) >= 0
                || name.length() > 2 * MAX_ID_LENGTH) {
            throw MatrixException.badJson("Invalid " + where + " key name '" + abbreviate(name) + "': expected <algorithm>:<key_id>");
        }
        return new String[] {name.substring(0, colon), name.substring(colon + 1)};
    }

    /**
     * A one-time or fallback key: an unpadded base64 string (unsigned curve25519) or an object
     * with a string {@code key}, {@code signatures} and optionally a boolean {@code fallback}.
     */
    static void checkKeyObject(JsonNode key, String where) {
        if (key.isTextual()) return;
        ObjectNode object = asObject(key, where);
        requireString(object, "key", where);
        checkSignatures(object.get("signatures"), where, true);
        JsonNode fallback = object.get("fallback");
        if (fallback != null && !fallback.isNull() && !fallback.isBoolean()) throw MatrixException.badJson(where + ".fallback must be a boolean");
    }

    /** Canonical JSON of a client object; floats and out-of-range integers are 400 {@code M_BAD_JSON}. */
    static String canonical(JsonNode node) {
        try {
            return CanonicalJson.encodeToString(node);
        } catch (IllegalArgumentException e) {
            throw MatrixException.badJson("Keys must be canonical JSON: " + e.getMessage());
        }
    }

    /** Parses JSON the server stored itself. */
    static JsonNode stored(String json) {
        return Json.parse(json);
    }

    /** The object without {@code signatures} and {@code unsigned}: what a signature covers. */
    static ObjectNode unsignedPart(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        copy.remove("signatures");
        copy.remove("unsigned");
        return copy;
    }

    /** The object under {@code name}, created when absent. */
    static ObjectNode child(ObjectNode parent, String name) {
        return parent.get(name) instanceof ObjectNode existing ? existing : parent.putObject(name);
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
