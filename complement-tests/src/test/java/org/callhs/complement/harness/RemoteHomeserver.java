package org.callhs.complement.harness;

import java.net.URI;

/** A homeserver someone else runs ({@code COMPLEMENT_BASE_URL}); it must have open registration. */
final class RemoteHomeserver implements Homeserver {

    private final URI baseUrl;
    private volatile String serverName;

    RemoteHomeserver(URI baseUrl) {
        String s = baseUrl.toString();
        this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    @Override public String name() { return "hs1"; }

    @Override public URI baseUrl() { return baseUrl; }

    /** Learnt from the user ID of a throw-away account (the API has no other way to ask). */
    @Override public String serverName() {
        if (serverName == null) {
            CsApiClient probe = client().register(Names.unique("probe"), "probe-password");
            serverName = MatrixIds.serverName(probe.userId());
        }
        return serverName;
    }
}
