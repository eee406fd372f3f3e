package org.callhs.core.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.MatrixException;

/** Typed access to request body fields: wrong types are 400 {@code M_BAD_JSON}, missing required ones 400 {@code M_MISSING_PARAM}. */
final class Bodies {
    private Bodies() {}

    static String optionalString(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!node.isTextual()) throw MatrixException.badJson(field + " must be a string");
        return node.textValue();
    }

    static String requireString(ObjectNode body, String field) {
        String value = optionalString(body, field);
        if (value == null) throw MatrixException.missingParam("Missing parameter: " + field);
        return value;
    }

    static boolean optionalBoolean(ObjectNode body, String field, boolean fallback) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return fallback;
        if (!node.isBoolean()) throw MatrixException.badJson(field + " must be a boolean");
        return node.booleanValue();
    }

    static ObjectNode optionalObject(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) return null;
        if (!(node instanceof ObjectNode object)) throw MatrixException.badJson(field + " must be an object");
        return object;
    }

    /** 403 unless the requester is {@code userId} (users may only act on their own account). */
    static void requireSelf(Requester requester, String userId, String what) {
        if (!requester.userId().equals(userId)) throw MatrixException.forbidden("Cannot " + what + " for other users");
    }
}
