package org.callhs.media;

import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;

/**
 * Media IDs and server names as they appear in {@code mxc://} URIs and request paths. Media IDs
 * are {@code [A-Za-z0-9_-]+} (the spec's grammar); server names are hostnames, IPv4 or
 * bracketed IPv6 literals with an optional port. Anything else (a {@code ..}, a {@code /} that
 * arrived percent-encoded, a NUL) is refused before it gets near storage or the network.
 */
final class MediaIds {
    private static final Pattern MEDIA_ID = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    private static final Pattern SERVER_NAME = Pattern.compile(
            "(?:[A-Za-z0-9.-]{1,255}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private MediaIds() {}

    /** A new media ID: 24 random letters (about 137 bits), as long as Synapse's. */
    static String generate() {
        char[] id = new char[24];
        for (int i = 0; i < id.length; i++) id[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        return new String(id);
    }

    static boolean validMediaId(String mediaId) {
        return mediaId != null && MEDIA_ID.matcher(mediaId).matches();
    }

    static boolean validServerName(String serverName) {
        return serverName != null && SERVER_NAME.matcher(serverName).matches() && !serverName.contains("..");
    }

    /**
     * The path's server name and media ID, checked; a malformed one cannot name any media, so it
     * is 404 {@code M_NOT_FOUND}, which is also what Synapse answers.
     */
    static void check(String serverName, String mediaId) {
        if (!validServerName(serverName)) throw new MatrixException(ErrCode.NOT_FOUND, 404, "Not a valid server name");
        if (!validMediaId(mediaId)) throw new MatrixException(ErrCode.NOT_FOUND, 404, "Not a valid media ID");
    }
}
