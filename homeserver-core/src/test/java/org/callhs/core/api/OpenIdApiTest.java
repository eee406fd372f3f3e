package org.callhs.core.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.BackendSuite;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestClient.Resp;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** OpenID tokens as the LiveKit JWT service uses them: requested over the Client-Server API, checked over federation. */
@ParameterizedClass
@EnumSource(Backend.class)
class OpenIdApiTest extends BackendSuite {

    private record Answer(int status, JsonNode body) {}

    /** GET userinfo on the federation listener (self-signed TLS, so no certificate checks, as lk-jwt-service's insecure mode). */
    private static Answer userInfo(String query) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, new SecureRandom());
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll).build();
        URI uri = URI.create("https://127.0.0.1:" + server.homeserver().federationPort() + "/_matrix/federation/v1/openid/userinfo" + query);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.parse(response.body()));
    }

    @Test
    void aRequestedTokenProvesTheUsersIdentityOverFederation() throws Exception {
        String token = server.registerToken("oid_alice");
        String userId = "@oid_alice:localhost";
        Resp issued = client.post("/_matrix/client/v3/user/" + TestClient.seg(userId) + "/openid/request_token", token, "{}");
        assertThat(issued.status()).as(issued.body().toString()).isEqualTo(200);
        assertThat(issued.text("token_type")).isEqualTo("Bearer");
        assertThat(issued.text("matrix_server_name")).isEqualTo("localhost");
        assertThat(issued.body().path("expires_in").asLong()).isEqualTo(3600);
        String openId = issued.text("access_token");
        assertThat(openId).isNotBlank().isNotEqualTo(token);

        Answer info = userInfo("?access_token=" + URLEncoder.encode(openId, StandardCharsets.UTF_8));
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.body().path("sub").asText()).isEqualTo(userId);
        Answer accessTokenInstead = userInfo("?access_token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        assertThat(accessTokenInstead.status()).as("an access token is not an OpenID token").isEqualTo(401);
    }

    @Test
    void badInput() throws Exception {
        String alice = server.registerToken("oid_bad_alice");
        server.registerToken("oid_bad_bob");
        Resp other = client.post("/_matrix/client/v3/user/" + TestClient.seg("@oid_bad_bob:localhost") + "/openid/request_token", alice, "{}");
        assertThat(other.status()).isEqualTo(403);
        assertThat(other.errcode()).isEqualTo("M_FORBIDDEN");
        Resp noToken = client.post("/_matrix/client/v3/user/" + TestClient.seg("@oid_bad_alice:localhost") + "/openid/request_token", null, "{}");
        assertThat(noToken.status()).isEqualTo(401);
        Resp notJson = client.post("/_matrix/client/v3/user/" + TestClient.seg("@oid_bad_alice:localhost") + "/openid/request_token", alice,
                "[1]");
        assertThat(notJson.status()).isEqualTo(400);
        Answer unknown = userInfo("?access_token=nonsense");
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.body().path("errcode").asText()).isEqualTo("M_UNKNOWN_TOKEN");
        Answer missing = userInfo("");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.body().path("errcode").asText()).isEqualTo("M_MISSING_TOKEN");
    }
}
