package org.callhs.complement.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One request, built fluently: {@code client.request("PUT", "profile", userId, "displayname").json(body).send()}.
 * Path segments are percent-encoded; the client's access token is sent unless {@link #noAuth()}.
 */
public final class CsRequest {

    private final HttpClient http;
    private final URI baseUrl;
    private final String method;
    private final String path;
    private final List<String> query = new ArrayList<>();
    private final List<String[]> headers = new ArrayList<>();
    private String accessToken;
    private byte[] body;
    private String contentType;

    CsRequest(HttpClient http, URI baseUrl, String method, String path, String accessToken) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.method = method;
        this.path = path;
        this.accessToken = accessToken;
    }

    public CsRequest query(String name, String value) {
        query.add(PathEncoding.encode(name) + "=" + PathEncoding.encode(value));
        return this;
    }

    public CsRequest header(String name, String value) {
        headers.add(new String[] {name, value});
        return this;
    }

    /** Sends this token instead of the client's. */
    public CsRequest accessToken(String token) {
        this.accessToken = token;
        return this;
    }

    /** Sends no {@code Authorization} header. */
    public CsRequest noAuth() {
        this.accessToken = null;
        return this;
    }

    /** A JSON body: a {@link java.util.Map}, a {@link com.fasterxml.jackson.databind.JsonNode}, a list, ... */
    public CsRequest json(Object value) {
        return body(Json.bytes(value), "application/json");
    }

    /** Raw bytes as the body (for malformed JSON and the like). */
    public CsRequest body(byte[] bytes, String contentType) {
        this.body = bytes;
        this.contentType = contentType;
        return this;
    }

    public URI uri() {
        String q = query.isEmpty() ? "" : "?" + String.join("&", query);
        return URI.create(baseUrl + path + q);
    }

    public CsResponse send() {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri()).timeout(HttpClients.REQUEST_TIMEOUT);
        if (body != null) {
            builder.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            builder.header("Content-Type", contentType);
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        if (accessToken != null) builder.header("Authorization", "Bearer " + accessToken);
        for (String[] h : headers) builder.header(h[0], h[1]);
        try {
            HttpResponse<byte[]> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new CsResponse(method, uri().getRawPath(), response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + uri(), e);
        }
    }
}
