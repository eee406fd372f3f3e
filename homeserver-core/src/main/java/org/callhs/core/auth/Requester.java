package org.callhs.core.auth;

/** The authenticated caller of a request: user, device and kind of account. */
public record Requester(String userId, String deviceId, boolean guest, boolean admin, String tokenHash) {}
