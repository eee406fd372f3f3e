package org.callhs.complement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.callhs.complement.harness.Json.obj;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.callhs.complement.harness.Backend;
import org.callhs.complement.harness.CsApiClient;
import org.callhs.complement.harness.CsResponse;
import org.callhs.complement.harness.Deployment;
import org.callhs.complement.harness.Homeserver;
import org.callhs.complement.harness.HomeserverOptions;
import org.callhs.complement.harness.HomeserverScenario;
import org.callhs.complement.harness.Json;
import org.callhs.complement.harness.Names;
import org.callhs.complement.harness.PathEncoding;
import org.callhs.complement.harness.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;

/**
 * The HTTP edge: malformed bodies, missing or bad tokens, unknown endpoints and methods, huge
 * bodies, CORS, rate limiting. Every error must be a JSON body with CORS headers.
 */
@HomeserverScenario
class BadInputScenario {

    private static final String PASSWORD = "bad-input-password";

    @Parameter Backend backend;

    static Deployment deployment;

    @BeforeParameterizedClassInvocation
    static void deploy(Backend backend) {
        deployment = null;
        deployment = Deployment.start(backend, BadInputScenario.class);
    }

    @AfterParameterizedClassInvocation
    static void tearDown() {
        Deployment.close(deployment);
    }

    private static Homeserver hs() { return deployment.hs1(); }

    /** Asserts status and errcode, and that the error is JSON with CORS headers. */
    private static CsResponse assertError(CsResponse r, int status, String errcode) {
        r.assertError(status, errcode);
        assertThat(r.header("Content-Type").orElse("")).as("Content-Type of " + r.describe()).startsWith("application/json");
        assertThat(r.header("Access-Control-Allow-Origin").orElse(null)).as("CORS header of " + r.describe()).isEqualTo("*");
        return r;
    }

    @Test
    void unparseableJsonIsNotJson() {
        CsApiClient alice = hs().client().register(Names.unique("notjson"), PASSWORD);
        assertError(alice.request("PUT", "user", alice.userId(), "account_data", "org.example.x")
                .body("{\"broken\": ".getBytes(StandardCharsets.UTF_8), "application/json").send(), 400, "M_NOT_JSON");
        byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        assertError(alice.request("PUT", "user", alice.userId(), "account_data", "org.example.x")
                .body(invalidUtf8, "application/json").send(), 400, "M_NOT_JSON");
        assertError(hs().client().request("POST", "login")
                .body("not json at all".getBytes(StandardCharsets.UTF_8), "application/json").send(), 400, "M_NOT_JSON");
    }

    @Test
    void jsonThatIsNotAnObjectIsBadJson() {
        CsApiClient alice = hs().client().register(Names.unique("badjson"), PASSWORD);
        assertError(alice.request("PUT", "user", alice.userId(), "account_data", "org.example.x")
                .body("[1, 2, 3]".getBytes(StandardCharsets.UTF_8), "application/json").send(), 400, "M_BAD_JSON");
        assertError(alice.request("POST", "user", alice.userId(), "filter")
                .body("[]".getBytes(StandardCharsets.UTF_8), "application/json").send(), 400, "M_BAD_JSON");
        assertError(hs().client().request("POST", "login")
                .body("\"a string\"".getBytes(StandardCharsets.UTF_8), "application/json").send(), 400, "M_BAD_JSON");
    }

    @Test
    void missingAndUnknownTokensAreUnauthorized() {
        assertError(hs().client().get("account", "whoami"), 401, "M_MISSING_TOKEN");
        assertError(hs().client().withAccessToken("syt_not_a_real_token_" + Names.random(10)).get("account", "whoami"),
                401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void unknownEndpointsAreUnrecognized() {
        CsApiClient alice = hs().client().register(Names.unique("unknownpath"), PASSWORD);
        assertError(hs().client().get("this", "endpoint", "does", "not", "exist"), 404, "M_UNRECOGNIZED");
        assertError(alice.get("this", "endpoint", "does", "not", "exist"), 404, "M_UNRECOGNIZED");
        assertError(alice.post(obj(), "no_such_thing"), 404, "M_UNRECOGNIZED");
        assertError(hs().client().requestAt("GET", "_matrix", "client", "v99", "login").send(), 404, "M_UNRECOGNIZED");
    }

    @Test
    void wrongMethodOnAKnownPathIsUnrecognized() {
        CsApiClient alice = hs().client().register(Names.unique("wrongmethod"), PASSWORD);
        assertError(alice.delete(null, "account", "whoami"), 405, "M_UNRECOGNIZED");
        assertError(hs().client().put(obj(), "login"), 405, "M_UNRECOGNIZED");
    }

    @Test
    void mediaUploadsOverTheLimitAreTooLargeAndBadMediaPathsAreJsonErrors() {
        CsApiClient alice = hs().client().register(Names.unique("hugemedia"), PASSWORD);
        RawHttp.Response r = RawHttp.sendLargeBody(hs().baseUrl(), "POST", "/_matrix/media/v3/upload", alice.accessToken(),
                50L * 1024 * 1024 + 1, (byte) 'x');
        assertThat(r.status()).as("status of a 50 MiB + 1 upload: %s", r).isEqualTo(413);
        assertThat(r.body()).contains("M_TOO_LARGE");
        assertThat(r.headers().getOrDefault("content-type", "")).startsWith("application/json");
        assertError(alice.requestAt("GET", "_matrix", "client", "v1", "media", "download", hs().serverName(), "../../homeserver.db").send(),
                404, "M_NOT_FOUND");
        assertError(alice.requestAt("GET", "_matrix", "client", "v1", "media", "thumbnail", hs().serverName(), "abc")
                .query("width", "x").query("height", "1").send(), 400, "M_INVALID_PARAM");
        assertError(alice.requestAt("PUT", "_matrix", "media", "v3", "upload", hs().serverName(), "NotCreated")
                .body(new byte[] {1}, "text/plain").send(), 404, "M_NOT_FOUND");
        assertError(hs().client().requestAt("GET", "_matrix", "client", "v1", "media", "config").send(), 401, "M_MISSING_TOKEN");
    }

    @Test
    void bodiesOverTenMebibytesAreTooLarge() {
        CsApiClient alice = hs().client().register(Names.unique("huge"), PASSWORD);
        String path = PathEncoding.path("_matrix", "client", "v3", "user", alice.userId(), "account_data", "org.example.huge");
        RawHttp.Response r = RawHttp.sendLargeBody(hs().baseUrl(), "PUT", path, alice.accessToken(),
                10L * 1024 * 1024 + 1024 * 1024, (byte) 'x');
        JsonNode body = MissingNode.getInstance();
        try {
            body = Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            // asserted below
        }
        assertThat(r.status()).as("status of an 11 MiB body: %s", r).isEqualTo(413);
        assertThat(body.path("errcode").asText()).as("errcode: %s", r).isEqualTo("M_TOO_LARGE");
        assertThat(r.headers().getOrDefault("content-type", "")).startsWith("application/json");
        assertThat(r.headers().get("access-control-allow-origin")).isEqualTo("*");
        alice.get("user", alice.userId(), "account_data", "org.example.huge").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void corsPreflightIsAnsweredWithoutRunningTheEndpoint() {
        CsApiClient alice = hs().client().register(Names.unique("cors"), PASSWORD);
        CsResponse preflight = alice.request("OPTIONS", "logout")
                .header("Origin", "https://app.example.org")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .send();
        preflight.assertStatus(200);
        assertThat(preflight.header("Access-Control-Allow-Origin").orElse(null)).isEqualTo("*");
        assertThat(tokens(preflight.header("Access-Control-Allow-Methods").orElse("")))
                .contains("get", "post", "put", "delete", "options");
        assertThat(tokens(preflight.header("Access-Control-Allow-Headers").orElse("")))
                .contains("authorization", "content-type", "x-requested-with");
        alice.whoami(); // OPTIONS /logout must not have logged out

        CsResponse versions = hs().client().requestAt("GET", "_matrix", "client", "versions").send();
        versions.assertOk();
        assertThat(versions.header("Access-Control-Allow-Origin").orElse(null)).as("CORS on success too").isEqualTo("*");
    }

    private static List<String> tokens(String headerValue) {
        List<String> out = new ArrayList<>();
        Arrays.stream(headerValue.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                .forEach(out::add);
        return out;
    }

    @Test
    void repeatedLoginsAreRateLimited() {
        HomeserverOptions limited = HomeserverOptions.defaults()
                .set("rate_limits.enabled", "true")
                .set("rate_limits.login.per_second", "0.1")
                .set("rate_limits.login.burst", "2");
        try (Deployment d = Deployment.start(backend, "BadInputScenario-rateLimited", limited)) {
            String localpart = Names.unique("limited");
            d.hs1().client().register(localpart, PASSWORD);

            CsResponse limitedResponse = null;
            int successes = 0;
            for (int attempt = 0; attempt < 10 && limitedResponse == null; attempt++) {
                CsResponse r = d.hs1().client().loginRaw(localpart, PASSWORD, null, null);
                if (r.status() == 429) limitedResponse = r;
                else { r.assertOk(); successes++; }
            }
            assertThat(limitedResponse).as("a 429 within 10 logins with burst 2").isNotNull();
            assertThat(successes).as("logins before the limit hit").isGreaterThanOrEqualTo(1);
            assertError(limitedResponse, 429, "M_LIMIT_EXCEEDED");
            JsonNode retryMs = limitedResponse.json().path("retry_after_ms");
            assertThat(retryMs.isIntegralNumber() && retryMs.asLong() > 0)
                    .as("retry_after_ms in %s", limitedResponse.describe()).isTrue();
            String retryAfter = limitedResponse.header("Retry-After").orElse(null);
            assertThat(retryAfter).as("Retry-After header of %s", limitedResponse.describe()).isNotNull();
            assertThat(Long.parseLong(retryAfter.trim())).as("Retry-After seconds").isPositive();
        }
    }
}
