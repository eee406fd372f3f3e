package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.crypto.CanonicalJson;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.util.Json;

/**
 * X-Matrix request authentication (Server-Server API "Request Authentication"): the JSON object
 * {@code {method, uri, origin, destination, content?}} that a request signature covers, the
 * {@code Authorization} header that carries it, and a tolerant header parser (RFC 9110
 * auth-params: case-insensitive names, quoted or bare values, backslash escapes, spaces
 * around commas).
 */
public final class XMatrix {
    /** The parameters of one {@code Authorization: X-Matrix ...} header. */
    public record Header(String origin, String destination, String key, String sig) {}

    private XMatrix() {}

    /** The JSON object a request signature is made over; {@code content} only when the request has a body. */
    public static ObjectNode signedObject(String method, String uri, String origin, String destination, JsonNode content) {
        ObjectNode object = Json.object();
        object.put("method", method);
        object.put("uri", uri);
        object.put("origin", origin);
        if (destination != null) object.put("destination", destination);
        if (content != null) object.set("content", content);
        return object;
    }

    /**
     * The {@code Authorization} header value for a request this server sends. Content strict
     * canonical JSON cannot hold (a client's float in a to-device message) is signed the way
     * Synapse signs it ({@link CanonicalJson#encodeRelaxed}); content neither can hold (a lone
     * surrogate) is an {@link IllegalArgumentException}.
     */
    public static String authorization(SigningKey key, String method, String uri, String origin, String destination, JsonNode content) {
        byte[] signature = key.sign(signedBytes(signedObject(method, uri, origin, destination, content)));
        return "X-Matrix origin=" + quote(origin) + ",destination=" + quote(destination) + ",key=" + quote(key.keyId())
                + ",sig=" + quote(UnpaddedBase64.encode(signature));
    }

    /** The bytes a request signature covers: canonical JSON, or Synapse's relaxed form when strict refuses the content. */
    static byte[] signedBytes(JsonNode object) {
        try {
            return CanonicalJson.encode(object);
        } catch (IllegalArgumentException e) {
            return CanonicalJson.encodeRelaxed(object);
        }
    }

    /**
     * Whether {@code signature} (unpadded base64) by {@code publicKey} covers this request: over
     * the canonical form, or else over the form Python's canonicaljson gives numbers strict
     * canonical JSON refuses (Synapse signs requests carrying a client's floats that way).
     */
    public static boolean verify(byte[] publicKey, String signature, String method, String uri, String origin, String destination,
                                 JsonNode content) {
        byte[] sig;
        try {
            sig = UnpaddedBase64.decode(signature);
        } catch (RuntimeException e) {
            return false;
        }
        ObjectNode object = signedObject(method, uri, origin, destination, content);
        try {
            if (SigningKey.verify(publicKey, CanonicalJson.encode(object), sig)) return true;
        } catch (IllegalArgumentException e) {
            // not strictly canonical: try the relaxed form below
        }
        try {
            return SigningKey.verify(publicKey, CanonicalJson.encodeRelaxed(object), sig);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Parses one header value; empty when it is not an X-Matrix header or lacks origin, key or sig. */
    public static Optional<Header> parse(String value) {
        if (value == null) return Optional.empty();
        String trimmed = value.trim();
        if (trimmed.length() < 9 || !trimmed.regionMatches(true, 0, "X-Matrix", 0, 8) || !Character.isWhitespace(trimmed.charAt(8))) {
            return Optional.empty();
        }
        Map<String, String> params = params(trimmed.substring(9));
        if (params == null) return Optional.empty();
        String origin = params.get("origin");
        String key = params.get("key");
        String sig = params.get("sig");
        if (origin == null || key == null || sig == null || origin.isEmpty() || key.isEmpty() || sig.isEmpty()) return Optional.empty();
        return Optional.of(new Header(origin, params.get("destination"), key, sig));
    }

    /** {@code name=value} pairs separated by commas; null when malformed. */
    private static Map<String, String> params(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == ',')) i++;
            if (i >= n) break;
            int nameStart = i;
            while (i < n && text.charAt(i) != '=' && text.charAt(i) != ',' && text.charAt(i) != ' ') i++;
            String name = text.substring(nameStart, i).toLowerCase(Locale.ROOT);
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            if (i >= n || text.charAt(i) != '=' || name.isEmpty()) return null;
            i++;
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(text.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) return null;
            } else {
                while (i < n && text.charAt(i) != ',' && text.charAt(i) != ' ' && text.charAt(i) != '\t') value.append(text.charAt(i++));
            }
            while (i < n && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            if (i < n && text.charAt(i) != ',') return null;
            out.putIfAbsent(name, value.toString());
        }
        return out;
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
