package org.callhs.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.callhs.core.util.Json;

/** A small HTTP client for in-process tests: real HTTP over loopback. */
public final class TestClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    public TestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A response: status, parsed JSON body and headers. */
    public record Resp(int status, JsonNode body, java.net.http.HttpHeaders headers) {
        public String errcode() { return body.path("errcode").asText(null); }
        public String text(String field) { return body.path(field).asText(null); }
    }

    /** Percent-encodes one path segment (everything but unreserved characters). */
    public static String seg(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public Resp call(String method, String path, String token, Object body) {
        byte[] bytes = body == null ? new byte[0]
                : body instanceof String s ? s.getBytes(StandardCharsets.UTF_8)
                : body instanceof byte[] b ? b : Json.bytes(Json.MAPPER.valueToTree(body));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, bytes.length == 0 && body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(bytes));
        if (token != null) request.header("Authorization", "Bearer " + token);
        if (body != null) request.header("Content-Type", "application/json");
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = response.body().length == 0 ? Json.object() : Json.parse(response.body());
            return new Resp(response.statusCode(), json, response.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Resp get(String path, String token) { return call("GET", path, token, null); }
    public Resp post(String path, String token, Object body) { return call("POST", path, token, body); }
    public Resp put(String path, String token, Object body) { return call("PUT", path, token, body); }
    public Resp delete(String path, String token, Object body) { return call("DELETE", path, token, body); }

    /** Registers through the m.login.dummy flow and returns the login response. */
    public Resp register(String localpart, String password) {
        ObjectNode body = Json.object();
        body.put("username", localpart);
        body.put("password", password);
        Resp first = post("/_matrix/client/v3/register", null, body);
        if (first.status() != 401) return first;
        body.putObject("auth").put("type", "m.login.dummy").put("session", first.text("session"));
        return post("/_matrix/client/v3/register", null, body);
    }

    public Resp login(String user, String password, String deviceId) {
        ObjectNode body = Json.object();
        body.put("type", "m.login.password");
        body.putObject("identifier").put("type", "m.id.user").put("user", user);
        body.put("password", password);
        if (deviceId != null) body.put("device_id", deviceId);
        return post("/_matrix/client/v3/login", null, body);
    }
}
