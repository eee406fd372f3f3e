package org.callhs.core.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import org.callhs.core.crypto.UnpaddedBase64;

/** Random secrets: access tokens (256 bits), device IDs and session IDs, and the token hash that is stored. */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private Tokens() {}

    /** A new access token: {@code chs_} and 256 random bits, URL-safe. */
    public static String newAccessToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "chs_" + UnpaddedBase64.encodeUrlSafe(bytes);
    }

    /** A new refresh token: {@code chr_} and 256 random bits, URL-safe. */
    public static String newRefreshToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "chr_" + UnpaddedBase64.encodeUrlSafe(bytes);
    }

    /** Ten upper-case letters, like the device IDs other servers hand out. */
    public static String newDeviceId() { return random(UPPER, 10); }

    public static String newSessionId() { return random(ALNUM, 24); }

    public static String random(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        return out.toString();
    }

    /** What is stored for a token: SHA-256, URL-safe base64. */
    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return UnpaddedBase64.encodeUrlSafe(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
