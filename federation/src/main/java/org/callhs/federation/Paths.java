package org.callhs.federation;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of path segments and query values for outbound requests: everything but
 * the URI's unreserved characters is encoded ({@code !}, {@code :}, {@code @} and {@code $}
 * included, as Synapse does), so the signed target and the bytes on the wire are the same.
 */
public final class Paths {
    private Paths() {}

    public static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** A query value: the same encoding as a segment. */
    public static String query(String value) { return segment(value); }
}
