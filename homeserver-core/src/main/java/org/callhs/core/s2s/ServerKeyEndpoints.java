package org.callhs.core.s2s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * The federation listener's unauthenticated endpoints.
 *
 * <ul>
 * <li>{@code GET /_matrix/key/v2/server}: the server's verify key, self-signed, valid for one
 *     day from now (Synapse's default refresh interval; the spec caps validity at 7 days).
 * <li>{@code GET /_matrix/federation/v1/version}: server software name and version.
 * </ul>
 * Spec: Server-Server API, "Retrieving server keys" and "GET /_matrix/federation/v1/version".
 */
public final class ServerKeyEndpoints implements Routes {
    private static final Duration VALIDITY = Duration.ofDays(1);
    private final String serverName;
    private final SigningKey key;
    private final JsonSigner signer;
    private final Clock clock;
    private final String version;

    public ServerKeyEndpoints(String serverName, SigningKey key, Clock clock, String version) {
        this.serverName = serverName;
        this.key = key;
        this.signer = new JsonSigner(serverName, key);
        this.clock = clock;
        this.version = version;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", "/_matrix/key/v2/server", AuthKind.NONE, null, r -> ApiResponse.ok(keyResponse())),
                new Endpoint("GET", "/_matrix/federation/v1/version", AuthKind.NONE, null, r -> versionResponse()));
    }

    public ObjectNode keyResponse() {
        ObjectNode body = Json.object();
        body.put("server_name", serverName);
        body.put("valid_until_ts", clock.millis() + VALIDITY.toMillis());
        body.putObject("verify_keys").putObject(key.keyId()).put("key", key.publicKeyBase64());
        body.putObject("old_verify_keys");
        return signer.sign(body);
    }

    private ApiResponse versionResponse() {
        ObjectNode body = Json.object();
        ObjectNode server = body.putObject("server");
        server.put("name", "callhs");
        server.put("version", version);
        return ApiResponse.ok(body);
    }
}
