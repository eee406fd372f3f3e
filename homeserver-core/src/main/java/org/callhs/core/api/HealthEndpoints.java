package org.callhs.core.api;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.callhs.core.http.ApiResponse;
import org.callhs.core.http.AuthKind;
import org.callhs.core.http.Endpoint;
import org.callhs.core.http.RawBody;
import org.callhs.core.spi.Routes;
import org.callhs.core.util.Json;

/**
 * What load balancers, container health checks and admin tools ask first, as Synapse answers:
 * <ul>
 * <li>{@code GET /health}: {@code OK} as {@code text/plain}, once the server accepts requests
 *     (https://element-hq.github.io/synapse/latest/usage/configuration/config_documentation.html#listeners);
 * <li>{@code GET /_synapse/admin/v1/server_version}: {@code {"server_version"}}, without a token
 *     (https://element-hq.github.io/synapse/latest/admin_api/version_api.html).
 * </ul>
 */
public final class HealthEndpoints implements Routes {
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);

    private final String version;

    public HealthEndpoints(String version) {
        this.version = version;
    }

    @Override
    public List<Endpoint> endpoints() {
        return List.of(
                new Endpoint("GET", "/health", AuthKind.NONE, null, request -> ApiResponse.raw(200, new RawBody() {
                    @Override public String contentType() { return "text/plain; charset=utf-8"; }
                    @Override public long length() { return OK.length; }
                    @Override public void writeTo(OutputStream out) throws java.io.IOException { out.write(OK); }
                }, Map.of("Cache-Control", "no-store"))),
                new Endpoint("GET", "/_synapse/admin/v1/server_version", AuthKind.NONE, null,
                        request -> ApiResponse.ok(Json.object().put("server_version", version))));
    }
}
