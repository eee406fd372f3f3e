package org.callhs.core.util;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Grammar of Matrix identifiers (spec appendix "Identifier Grammar"). */
public final class MatrixIds {
    private MatrixIds() {}

    /** Characters allowed in new user localparts. */
    private static final Pattern LOCALPART = Pattern.compile("[a-z0-9._=/+\\-]+");
    /** Historical user IDs may contain any printable ASCII except ':' (spec: "Historical User IDs"). */
    private static final Pattern HISTORICAL_LOCALPART = Pattern.compile("[\\x21-\\x39\\x3B-\\x7E]+");
    private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9.\\-]{1,255}");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]{2,45}]");
    public static final int MAX_ID_BYTES = 255;

    public static boolean isValidServerName(String name) {
        if (name == null || name.isEmpty()) return false;
        String host = name;
        int colon = name.lastIndexOf(':');
        if (colon > 0 && !name.endsWith("]")) {
            String port = name.substring(colon + 1);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) return false;
            if (Integer.parseInt(port) > 65535) return false;
            host = name.substring(0, colon);
        }
        return IPV6.matcher(host).matches() || IPV4.matcher(host).matches() || DNS_NAME.matcher(host).matches();
    }

    /** True when {@code localpart} may be used for a new account. */
    public static boolean isValidNewLocalpart(String localpart) {
        return localpart != null && LOCALPART.matcher(localpart).matches();
    }

    /** True for a syntactically valid user ID (historical localparts accepted). */
    public static boolean isValidUserId(String userId) {
        if (userId == null || !userId.startsWith("@")) return false;
        if (userId.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES) return false;
        int colon = userId.indexOf(':');
        if (colon <= 1) return false;
        return HISTORICAL_LOCALPART.matcher(userId.substring(1, colon)).matches()
                && isValidServerName(userId.substring(colon + 1));
    }

    public static String userId(String localpart, String serverName) { return "@" + localpart + ":" + serverName; }

    /** The localpart of a valid user ID. */
    public static String localpart(String userId) { return userId.substring(1, userId.indexOf(':')); }

    /** The server name of a valid user ID. */
    public static String serverName(String userId) { return userId.substring(userId.indexOf(':') + 1); }
}
