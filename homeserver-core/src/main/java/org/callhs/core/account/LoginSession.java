package org.callhs.core.account;

/** A new login: the user, the device it is bound to and its access token. */
public record LoginSession(String userId, String deviceId, String accessToken) {}
