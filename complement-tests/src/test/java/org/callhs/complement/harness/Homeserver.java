package org.callhs.complement.harness;

import java.net.URI;

/** One homeserver of a deployment, as clients see it. */
public interface Homeserver {

    /** The name inside the deployment: {@code hs1}, {@code hs2}, ... */
    String name();

    /** Client-Server API base URL, without a trailing slash, e.g. {@code http://127.0.0.1:40123}. */
    URI baseUrl();

    /** The Matrix server name: the part after the colon in its user IDs. */
    String serverName();

    /** A client without an access token. */
    default CsApiClient client() {
        return new CsApiClient(baseUrl());
    }
}
