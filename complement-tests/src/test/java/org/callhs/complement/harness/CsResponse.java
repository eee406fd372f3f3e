package org.callhs.complement.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/** A response: status, headers and body, with assertions that describe the exchange when they fail. */
public final class CsResponse {

    private final String method;
    private final String path;
    private final int status;
    private final java.net.http.HttpHeaders headers;
    private final byte[] body;
    private final JsonNode json;

    CsResponse(String method, String path, int status, java.net.http.HttpHeaders headers, byte[] body) {
        this.method = method;
        this.path = path;
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.json = Json.parseOrNull(body);
    }

    public int status() { return status; }

    /** The body as JSON; a {@link MissingNode} if it is empty or not JSON. */
    public JsonNode json() { return json == null ? MissingNode.getInstance() : json; }

    public String text() { return new String(body, StandardCharsets.UTF_8); }

    /** The body's bytes as received. */
    public byte[] bytes() { return body.clone(); }

    public java.net.http.HttpHeaders headers() { return headers; }

    public Optional<String> header(String name) { return headers.firstValue(name); }

    /** {@code errcode} of an error body, or null. */
    public String errcode() {
        JsonNode e = json().path("errcode");
        return e.isTextual() ? e.asText() : null;
    }

    /** For assertion messages: {@code PUT /_matrix/... -> 403 {"errcode":...}}. */
    public String describe() {
        String text = text();
        if (text.length() > 2000) text = text.substring(0, 2000) + "... (" + body.length + " bytes)";
        return method + " " + path + " -> " + status + " " + text;
    }

    public CsResponse assertStatus(int expected) {
        assertThat(status).as(describe()).isEqualTo(expected);
        return this;
    }

    /** Asserts 200 and a JSON object body, and returns the body. */
    public JsonNode assertOk() {
        assertStatus(200);
        assertThat(json().isObject()).as("JSON object body of " + describe()).isTrue();
        return json;
    }

    /** Asserts the status and the {@code errcode} of a standard error body. */
    public CsResponse assertError(int expectedStatus, String expectedErrcode) {
        assertStatus(expectedStatus);
        assertThat(errcode()).as("errcode of " + describe()).isEqualTo(expectedErrcode);
        assertThat(json().path("error").isMissingNode() || json().path("error").isTextual())
                .as("'error' must be a string if present: " + describe()).isTrue();
        return this;
    }
}
