package org.callhs.complement.harness;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding for path segments and query parts: every byte of the UTF-8 form is encoded
 * except the RFC 3986 unreserved characters {@code A-Z a-z 0-9 - . _ ~}.
 */
public final class PathEncoding {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PathEncoding() {}

    public static String encode(String value) {
        StringBuilder sb = new StringBuilder(value.length() + 16);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return sb.toString();
    }

    /** {@code ["_matrix","client","v3","profile","@a/b:hs"]} -> {@code /_matrix/client/v3/profile/%40a%2Fb%3Ahs}. */
    public static String path(String... segments) {
        StringBuilder sb = new StringBuilder();
        for (String segment : segments) sb.append('/').append(encode(segment));
        return sb.toString();
    }
}
