package org.callhs.complement.harness;

/** Small helpers for Matrix identifiers. */
public final class MatrixIds {

    private MatrixIds() {}

    /** {@code @alice:example.org:8448} -> {@code example.org:8448} (split at the first colon). */
    public static String serverName(String id) {
        int colon = id.indexOf(':');
        if (colon < 0) throw new IllegalArgumentException("not a Matrix ID: " + id);
        return id.substring(colon + 1);
    }

    /** {@code @alice:example.org} -> {@code alice}. */
    public static String localpart(String userId) {
        int colon = userId.indexOf(':');
        if (!userId.startsWith("@") || colon < 0) throw new IllegalArgumentException("not a user ID: " + userId);
        return userId.substring(1, colon);
    }

    public static String userId(String localpart, String serverName) {
        return "@" + localpart + ":" + serverName;
    }
}
