package org.callhs.media;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The headers a media download carries. {@code Content-Disposition} is {@code inline} only for
 * the spec's list of types a browser shows harmlessly, {@code attachment} otherwise, with the
 * filename as a plain token when it is one and as RFC 5987 {@code filename*=utf-8''...}
 * otherwise (spaces, {@code ;}, non-ASCII), and without a filename when none was given. The
 * content security policy is the spec's, so an HTML or SVG file opened from the media URL
 * runs nothing.
 */
final class MediaHeaders {
    /** The spec's "serving inline content" list. */
    private static final Set<String> INLINE = Set.of(
            "text/css", "text/plain", "text/csv", "application/json", "application/ld+json",
            "image/jpeg", "image/gif", "image/png", "image/apng", "image/webp", "image/avif",
            "video/mp4", "video/webm", "video/ogg", "video/quicktime",
            "audio/mp4", "audio/webm", "audio/aac", "audio/mpeg", "audio/ogg", "audio/wave", "audio/wav", "audio/x-wav",
            "audio/x-pn-wav", "audio/flac", "audio/x-flac");
    static final String CONTENT_SECURITY_POLICY = "sandbox; default-src 'none'; script-src 'none'; plugin-types application/pdf; "
            + "style-src 'unsafe-inline'; media-src 'self'; object-src 'self';";
    private static final String TSPECIALS = "()<>@,;:\\\"/[]?={} \t";

    private MediaHeaders() {}

    /** Headers for serving a stored file, named {@code fileName} (null: none). */
    static Map<String, String> forFile(String contentType, String fileName) {
        Map<String, String> headers = common();
        headers.put("Content-Disposition", disposition(contentType, fileName));
        return headers;
    }

    /** Headers for a thumbnail: always inline, without a filename. */
    static Map<String, String> forThumbnail() {
        Map<String, String> headers = common();
        headers.put("Content-Disposition", "inline");
        return headers;
    }

    private static Map<String, String> common() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("Cross-Origin-Resource-Policy", "cross-origin");
        headers.put("X-Content-Type-Options", "nosniff");
        // Media never changes under its ID; authenticated answers are for the requester only.
        headers.put("Cache-Control", "private, max-age=86400");
        return headers;
    }

    static String disposition(String contentType, String fileName) {
        String kind = contentType != null && INLINE.contains(Thumbnailer.baseType(contentType)) ? "inline" : "attachment";
        if (fileName == null || fileName.isEmpty()) return kind;
        return kind + "; " + filenameParameter(fileName);
    }

    static String filenameParameter(String fileName) {
        if (isToken(fileName)) return "filename=" + fileName;
        StringBuilder encoded = new StringBuilder("filename*=utf-8''");
        for (byte b : fileName.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "!#$&+-.^_`|~".indexOf(c) >= 0)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    private static boolean isToken(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f || TSPECIALS.indexOf(c) >= 0) return false;
        }
        return true;
    }

    /** The filename in a {@code Content-Disposition} header ({@code filename*} first), or null. */
    static String fileNameOf(String disposition) {
        if (disposition == null) return null;
        String plain = null;
        for (String part : splitParameters(disposition)) {
            int eq = part.indexOf('=');
            if (eq < 0) continue;
            String name = part.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
            String value = part.substring(eq + 1).trim();
            if (name.equals("filename*")) {
                int quote = value.indexOf("''");
                if (quote >= 0 && value.substring(0, quote).equalsIgnoreCase("utf-8")) {
                    try {
                        return java.net.URLDecoder.decode(value.substring(quote + 2).replace("+", "%2B"), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        return null;
                    }
                }
            } else if (name.equals("filename")) {
                plain = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                        ? value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\") : value;
            }
        }
        return plain == null || plain.isEmpty() ? null : plain;
    }

    /** Splits on {@code ;} outside double quotes. */
    private static java.util.List<String> splitParameters(String header) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '"' && (i == 0 || header.charAt(i - 1) != '\\')) quoted = !quoted;
            if (c == ';' && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
