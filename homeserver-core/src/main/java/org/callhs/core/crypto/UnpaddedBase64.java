package org.callhs.core.crypto;

import java.util.Base64;

/** Matrix's unpadded base64: standard alphabet for keys, signatures and hashes; URL-safe for event IDs. */
public final class UnpaddedBase64 {
    private UnpaddedBase64() {}

    public static String encode(byte[] bytes) { return Base64.getEncoder().withoutPadding().encodeToString(bytes); }

    public static String encodeUrlSafe(byte[] bytes) { return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes); }

    /** Decodes standard or URL-safe base64, with or without padding. */
    public static byte[] decode(String text) {
        String normalized = text.replace('-', '+').replace('_', '/');
        while (normalized.endsWith("=")) normalized = normalized.substring(0, normalized.length() - 1);
        return Base64.getDecoder().decode(normalized);
    }
}
