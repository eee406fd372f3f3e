package org.callhs.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.crypto.JsonSigner;
import org.callhs.core.crypto.UnpaddedBase64;
import org.callhs.core.testing.Backend;
import org.callhs.core.testing.TestClient;
import org.callhs.core.testing.TestDatabases;
import org.callhs.core.util.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A restart on the same data directory and database keeps accounts, tokens and the signing key. */
class RestartTest {
    @ParameterizedTest
    @EnumSource(Backend.class)
    void restartKeepsEverything(Backend backend) throws Exception {
        java.nio.file.Path dataDir = java.nio.file.Files.createTempDirectory("callhs-restart-");
        List<String> sets = List.of("listen=\"127.0.0.1:0\"", "federation.listen=\"127.0.0.1:0\"", "data_dir=\"" + dataDir + "\"",
                "database.url=\"" + TestDatabases.create(backend) + "\"", "registration.enabled=true", "rate_limits.enabled=false");
        String token;
        String keyId;
        try (Homeserver first = Homeserver.start(ConfigLoader.load(null, sets, List.of()), List.of(), Clock.systemUTC())) {
            TestClient client = new TestClient("http://127.0.0.1:" + first.clientPort());
            token = client.register("survivor", "pw").text("access_token");
            client.put("/_matrix/client/v3/profile/" + TestClient.seg("@survivor:localhost") + "/displayname", token,
                    Json.object().put("displayname", "Still Here"));
            keyId = serverKey(first.federationPort()).path("verify_keys").fieldNames().next();
        }
        try (Homeserver second = Homeserver.start(ConfigLoader.load(null, sets, List.of()), List.of(), Clock.systemUTC())) {
            TestClient client = new TestClient("http://127.0.0.1:" + second.clientPort());
            assertThat(client.get("/_matrix/client/v3/account/whoami", token).text("user_id")).isEqualTo("@survivor:localhost");
            assertThat(client.get("/_matrix/client/v3/profile/" + TestClient.seg("@survivor:localhost"), null).text("displayname"))
                    .isEqualTo("Still Here");
            JsonNode key = serverKey(second.federationPort());
            assertThat(key.path("verify_keys").fieldNames().next()).isEqualTo(keyId);
            assertThat(key.path("server_name").asText()).isEqualTo("localhost");
            byte[] publicKey = UnpaddedBase64.decode(key.path("verify_keys").path(keyId).path("key").asText());
            assertThat(JsonSigner.verify(key, "localhost", keyId, publicKey)).isTrue();
            ObjectNode tampered = key.deepCopy();
            tampered.put("valid_until_ts", 1);
            assertThat(JsonSigner.verify(tampered, "localhost", keyId, publicKey)).isFalse();
        }
    }

    static JsonNode serverKey(int port) throws Exception {
        SSLContext trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, new SecureRandom());
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/_matrix/key/v2/server")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        HttpResponse<String> version = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                + "/_matrix/federation/v1/version")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(Json.parse(version.body()).path("server").path("name").asText()).isEqualTo("callhs");
        return Json.parse(response.body());
    }

}
