package org.callhs.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.Features;
import org.callhs.core.spi.HomeserverModule;
import org.callhs.core.spi.ModuleContext;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.testing.TestServer;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Behaviour every endpoint shares: errors, CORS, limits, path decoding, discovery, modules. */
class EdgeTest {
    private static TestServer server;
    private static TestClient client;

    /** A module as a feature module would be: own config section, own route, own feature flag. */
    public record EchoConfig(String greeting, boolean enabled) {}

    static final class EchoModule implements HomeserverModule {
        static final ConfigSection<EchoConfig> SECTION = new ConfigSection<>("echo", EchoConfig.class, new EchoConfig("hi", true));

        @Override public String name() { return "echo"; }
        @Override public List<ConfigSection<?>> configSections() { return List.of(SECTION); }

        @Override
        public void install(ModuleContext context) {
            EchoConfig config = context.config(SECTION);
            context.addRoutes(() -> Endpoint.under(List.of("/_matrix/client/unstable/org.example.echo"), "GET", "/echo/{a}/{b}",
                    AuthKind.USER, null, r -> ApiResponse.ok(Json.object().put("a", r.path("a")).put("b", r.path("b"))
                            .put("greeting", config.greeting()))));
            // A streaming endpoint: reads its own body (past http.max_body_bytes) and answers it back raw.
            context.addRoutes(() -> List.of(new Endpoint("POST", "/_matrix/client/unstable/org.example.echo/bytes", AuthKind.USER, null,
                    r -> {
                        byte[] bytes;
                        try {
                            bytes = r.bodyStream().readAllBytes();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return ApiResponse.raw(200, new RawBody() {
                            @Override public String contentType() { return "application/octet-stream"; }
                            @Override public long length() { return bytes.length; }
                            @Override public void writeTo(java.io.OutputStream out) throws java.io.IOException { out.write(bytes); }
                        }, Map.of("X-Echo", "yes"));
                    }).streaming()));
            context.addFeatures(new Features() {
                @Override public Map<String, Boolean> unstableFeatures() { return Map.of("org.example.echo", config.enabled()); }
                @Override public Map<String, ObjectNode> capabilities() { return Map.of("org.example.echo", Json.object().put("enabled", true)); }
            });
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(Backend.SQLITE, List.of(new EchoModule()), "echo.greeting=hello", "http.max_body_bytes=4096",
                "rate_limits.enabled=true", "rate_limits.login.per_second=0.001", "rate_limits.login.burst=2",
                "rate_limits.registration.per_second=1000", "rate_limits.registration.burst=1000",
                "rate_limits.room_creation.per_second=0.001", "rate_limits.room_creation.burst=1");
        client = server.client();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void unknownPathsAndMethodsAreUnrecognized() {
        Resp unknown = client.get("/_matrix/client/v3/nothing/here", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errcode()).isEqualTo("M_UNRECOGNIZED");
        Resp wrongMethod = client.call("DELETE", "/_matrix/client/versions", null, null);
        assertThat(wrongMethod.status()).isEqualTo(405);
        assertThat(wrongMethod.errcode()).isEqualTo("M_UNRECOGNIZED");
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("GET, OPTIONS");
        Resp wrongOnProfile = client.call("POST", "/_matrix/client/v3/profile/" + TestClient.seg("@x:localhost") + "/displayname",
                null, "{}");
        assertThat(wrongOnProfile.status()).isEqualTo(405);
        assertThat(wrongOnProfile.headers().firstValue("Allow")).contains("GET, OPTIONS, PUT");
    }

    @Test
    void streamingEndpointsReadTheirOwnBodiesAndAnswerRawBytes() throws Exception {
        String token = server.registerToken("streamer");
        byte[] big = new byte[20_000]; // beyond http.max_body_bytes (4096), which streaming endpoints do not use
        new java.util.Random(1).nextBytes(big);
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + server.homeserver().clientPort()
                        + "/_matrix/client/unstable/org.example.echo/bytes"))
                .header("Authorization", "Bearer " + token).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(big)).build();
        var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(big);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/octet-stream");
        assertThat(response.headers().firstValue("X-Echo")).contains("yes");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        // Authentication still comes first.
        assertThat(client.post("/_matrix/client/unstable/org.example.echo/bytes", null, "x").status()).isEqualTo(401);
    }

    @Test
    void requestsJettyRefusesBeforeRoutingStillGetAMatrixError() {
        Resp nul = client.get("/_matrix/client/v3/profile/a%00b", null);
        assertThat(nul.status()).isEqualTo(400);
        assertThat(nul.errcode()).isEqualTo("M_UNKNOWN");
        assertThat(nul.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(nul.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
    }

    @Test
    void badBodiesGetTheirErrorCodes() {
        String token = server.registerToken("edgy");
        String path = "/_matrix/client/v3/user/" + TestClient.seg("@edgy:localhost") + "/account_data/x";
        assertThat(client.put(path, token, "{not json").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.put(path, token, "{\"a\":1,\"a\":2}").errcode()).isEqualTo("M_NOT_JSON");
        assertThat(client.put(path, token, "[]").errcode()).isEqualTo("M_BAD_JSON");
        Resp large = client.put(path, token, "{\"a\":\"" + "x".repeat(5000) + "\"}");
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.errcode()).isEqualTo("M_TOO_LARGE");
        assertThat(client.put("/_matrix/client/v3/user/%C3/account_data/x", token, "{}").errcode()).isEqualTo("M_INVALID_PARAM");
    }

    @Test
    void tokensAreRequiredAndChecked() {
        Resp missing = client.get("/_matrix/client/v3/account/whoami", null);
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.errcode()).isEqualTo("M_MISSING_TOKEN");
        Resp unknown = client.get("/_matrix/client/v3/account/whoami", "chs_nonsense");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.errcode()).isEqualTo("M_UNKNOWN_TOKEN");
        String token = server.registerToken("querytoken");
        assertThat(client.get("/_matrix/client/v3/account/whoami?access_token=" + token, null).status()).isEqualTo(200);
    }

    @Test
    void everyResponseCarriesCorsAndJson() {
        for (Resp r : List.of(client.get("/_matrix/client/versions", null), client.get("/nope", null),
                client.call("OPTIONS", "/_matrix/client/v3/login", null, null))) {
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
            assertThat(r.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        }
        assertThat(client.call("OPTIONS", "/_matrix/client/v3/anything/at/all", null, null).status()).isEqualTo(200);
    }

    @Test
    void rateLimitsAnswer429WithRetryAfter() {
        Resp last = null;
        for (int i = 0; i < 4; i++) last = client.login("nobody", "nothing", null);
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.errcode()).isEqualTo("M_LIMIT_EXCEEDED");
        assertThat(last.body().path("retry_after_ms").asLong()).isPositive();
        assertThat(last.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void roomCreationIsRateLimitedPerUser() {
        String token = server.registerToken("roombuilder");
        assertThat(client.post("/_matrix/client/v3/createRoom", token, "{}").status()).isEqualTo(200);
        Resp limited = client.post("/_matrix/client/v3/createRoom", token, "{}");
        assertThat(limited.status()).isEqualTo(429);
        String other = server.registerToken("otherbuilder");
        assertThat(client.post("/_matrix/client/v3/createRoom", other, "{}").status()).isEqualTo(200);
    }

    @Test
    void pathParametersArePercentDecodedPerSegment() {
        String token = server.registerToken("decoder");
        String a = "x/y%z:@!$ é";
        Resp r = client.get("/_matrix/client/unstable/org.example.echo/echo/" + TestClient.seg(a) + "/" + TestClient.seg("+plus"), token);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text("a")).isEqualTo(a);
        assertThat(r.text("b")).isEqualTo("+plus");
        assertThat(r.text("greeting")).isEqualTo("hello");
    }

    @Test
    void discoveryIncludesModuleContributions() {
        Resp versions = client.get("/_matrix/client/versions", null);
        assertThat(versions.body().path("versions").toString()).contains("v1.12", "r0.6.1");
        assertThat(versions.body().path("unstable_features").path("org.example.echo").asBoolean()).isTrue();
        String token = server.registerToken("capable");
        Resp caps = client.get("/_matrix/client/v3/capabilities", token);
        assertThat(caps.body().path("capabilities").path("m.room_versions").path("default").asText()).isEqualTo("11");
        assertThat(caps.body().path("capabilities").path("m.room_versions").path("available").path("12").asText()).isEqualTo("stable");
        assertThat(caps.body().path("capabilities").path("m.room_versions").path("available").path("6").asText()).isEqualTo("stable");
        assertThat(caps.body().path("capabilities").path("m.room_versions").path("available").has("5")).isFalse();
        assertThat(caps.body().path("capabilities").path("m.change_password").path("enabled").asBoolean()).isTrue();
        assertThat(caps.body().path("capabilities").path("org.example.echo").path("enabled").asBoolean()).isTrue();
        Resp wellKnown = client.get("/.well-known/matrix/client", null);
        assertThat(wellKnown.body().path("m.homeserver").path("base_url").asText()).startsWith("http://127.0.0.1:");
    }
}
