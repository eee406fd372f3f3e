package org.callhs.rtc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * LiveKit room names and participant identities for Matrix calls, derived exactly as
 * element-hq/lk-jwt-service derives them, so that a deployment can switch between that service
 * and this one without splitting a running call: unpadded standard base64 of the SHA-256 of a
 * JSON array of strings, the array written byte for byte as Go's {@code encoding/json} writes it
 * (HTML characters and U+2028/U+2029 escaped, invalid UTF-16 replaced by U+FFFD).
 */
final class LiveKitNames {
    /** The slot of the legacy {@code /sfu/get} endpoint, which predates slots. */
    static final String LEGACY_SLOT = "m.call#ROOM";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LiveKitNames() {}

    /** The LiveKit room of a Matrix room's MatrixRTC slot. */
    static String room(String matrixRoomId, String slotId) {
        return hash(matrixRoomId, slotId);
    }

    /** The LiveKit identity of a MatrixRTC member (user, device, membership ID). */
    static String identity(String userId, String deviceId, String memberId) {
        return hash(userId, deviceId, memberId);
    }

    /** The identity the legacy {@code /sfu/get} endpoint gives: user ID and device ID, colon-joined, unhashed. */
    static String legacyIdentity(String userId, String deviceId) {
        return userId + ":" + deviceId;
    }

    private static String hash(String... parts) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(goJsonArray(parts).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON array of strings as Go's {@code json.Marshal} writes a {@code []string}. */
    static String goJsonArray(String... parts) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) out.append(',');
            goJsonString(parts[i], out);
        }
        return out.append(']').toString();
    }

    private static void goJsonString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(c, out);
                default -> {
                    if (c < 0x20) {
                        unicodeEscape(c, out);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append('\uFFFD'); // Go writes invalid UTF-8 as the replacement character
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF]).append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
    }
}
