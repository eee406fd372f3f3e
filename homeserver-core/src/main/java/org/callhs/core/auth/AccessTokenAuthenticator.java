package org.callhs.core.auth;

import java.util.Optional;

/** Resolves an access token to its requester. */
public interface AccessTokenAuthenticator {
    /** The requester for the token, or empty when the token is unknown or revoked. */
    Optional<Requester> authenticate(String accessToken);
}
