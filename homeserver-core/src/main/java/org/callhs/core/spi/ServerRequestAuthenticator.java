package org.callhs.core.spi;

import java.util.List;

/**
 * Verifies a request signed by another server and names its origin. Provided by the
 * federation module; core calls it for endpoints declared {@code AuthKind.SERVER}.
 */
@FunctionalInterface
public interface ServerRequestAuthenticator {
    /**
     * @param method               the HTTP method
     * @param rawTarget            path and query exactly as received, still percent-encoded
     * @param authorizationHeaders every {@code Authorization} header value of the request
     * @param body                 the raw body (empty when there is none)
     * @return the verified origin server name
     * @throws org.callhs.core.error.MatrixException 401 {@code M_UNAUTHORIZED} with the reason
     */
    String authenticate(String method, String rawTarget, List<String> authorizationHeaders, byte[] body);
}
