package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.callhs.core.util.Json;

/** Requests to a federation listener with whatever Authorization header a test wants (or none). */
final class RawFederation {
    record Resp(int status, JsonNode body, String contentType) {
        String errcode() { return body.path("errcode").asText(null); }
    }

    private static final HttpClient HTTP = trustAll();

    private RawFederation() {}

    static Resp call(int port, String method, String target, String authorization, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + target))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (authorization != null) request.header("Authorization", authorization);
        if (body != null) request.header("Content-Type", "application/json");
        try {
            HttpResponse<byte[]> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? Json.object() : Json.parse(response.body());
            return new Resp(response.statusCode(), json, response.headers().firstValue("Content-Type").orElse(null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpClient trustAll() {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            // An X509ExtendedTrustManager that accepts everything also skips host name checks.
            ssl.init(null, new TrustManager[] {new javax.net.ssl.X509ExtendedTrustManager() {
                @Override public void checkClientTrusted(X509Certificate[] c, String a, java.net.Socket s) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a, java.net.Socket s) { }
                @Override public void checkClientTrusted(X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a, javax.net.ssl.SSLEngine e) { }
                @Override public void checkClientTrusted(X509Certificate[] c, String a) { }
                @Override public void checkServerTrusted(X509Certificate[] c, String a) { }
                @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }}, new SecureRandom());
            return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                    .connectTimeout(Duration.ofSeconds(10)).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
