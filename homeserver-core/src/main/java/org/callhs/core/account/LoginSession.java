package org.callhs.core.account;

/**
 * A new login: the user, the device it is bound to and its access token; with refresh tokens,
 * the refresh token and how long the access token lasts (both null otherwise).
 */
public record LoginSession(String userId, String deviceId, String accessToken, String refreshToken, Long expiresInMs) {
    public LoginSession(String userId, String deviceId, String accessToken) {
        this(userId, deviceId, accessToken, null, null);
    }
}
