package org.callhs.core.admin;

import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.http.ApiRequest;
import org.callhs.core.util.MatrixIds;

/** The checks every admin endpoint shares: the caller is an admin, and the IDs in the path are well formed and local. */
public final class AdminAccess {
    private AdminAccess() {}

    /** 403 {@code M_FORBIDDEN} unless the requester is a server admin (as Synapse words it). */
    public static void requireAdmin(ApiRequest request) {
        if (!request.requester().admin()) throw MatrixException.forbidden("You are not a server admin");
    }

    /**
     * The {@code userId} path parameter: 400 {@code M_INVALID_PARAM} when it is not {@code @localpart:server},
     * 400 {@code M_UNKNOWN} with {@code notLocal} when it belongs to another server.
     */
    public static String localUser(ApiRequest request, String serverName, String notLocal) {
        String userId = userId(request);
        if (!MatrixIds.serverName(userId).equals(serverName)) throw new MatrixException(ErrCode.UNKNOWN, 400, notLocal);
        return userId;
    }

    /** The {@code userId} path parameter checked for shape only: 400 {@code M_INVALID_PARAM} unless {@code @localpart:server}. */
    public static String userId(ApiRequest request) {
        String userId = request.path("userId");
        if (!userId.startsWith("@")) throw MatrixException.invalidParam("Expected UserID string to start with '@'");
        if (userId.indexOf(':') < 2) throw MatrixException.invalidParam("Expected UserID of the form '@localname:domain'");
        return userId;
    }

    /** The {@code roomId} path parameter: 400 {@code M_UNKNOWN} "… is not a legal room ID" unless {@code !opaque[:server]} (Synapse's check). */
    public static String roomId(ApiRequest request) {
        String roomId = request.path("roomId");
        if (!roomId.startsWith("!") || roomId.length() < 2 || roomId.length() > 255) {
            throw new MatrixException(ErrCode.UNKNOWN, 400, roomId + " is not a legal room ID");
        }
        return roomId;
    }

    /** The listings' {@code dir}: {@code f} (default) or {@code b}, true for {@code b}; 400 {@code M_INVALID_PARAM} otherwise. */
    public static boolean backwards(ApiRequest request) {
        String dir = request.query("dir").orElse("f");
        if (!dir.equals("f") && !dir.equals("b")) throw MatrixException.invalidParam("Query parameter 'dir' must be one of ['b', 'f']");
        return dir.equals("b");
    }
}
