package org.callhs.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.Json;

/**
 * One request as handlers see it: decoded path parameters, decoded query parameters, the body
 * (parsed on first use), the authenticated requester (if any) and the client address.
 */
public final class ApiRequest {
    private final String method;
    private final String rawPath;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;
    private final Function<String, String> headers;
    private final byte[] body;
    private final java.io.InputStream bodyStream;
    private final Requester requester;
    private final String remoteAddress;
    private JsonNode parsed;

    public ApiRequest(String method, String rawPath, Map<String, String> pathParams, Map<String, List<String>> query,
                      Function<String, String> headers, byte[] body, Requester requester, String remoteAddress) {
        this(method, rawPath, pathParams, query, headers, body, null, requester, remoteAddress);
    }

    /** A request whose body is read as a stream ({@code bodyStream} non-null; {@code body} is then empty). */
    public ApiRequest(String method, String rawPath, Map<String, String> pathParams, Map<String, List<String>> query,
                      Function<String, String> headers, byte[] body, java.io.InputStream bodyStream, Requester requester,
                      String remoteAddress) {
        this.bodyStream = bodyStream;
        this.method = method;
        this.rawPath = rawPath;
        this.pathParams = pathParams;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.requester = requester;
        this.remoteAddress = remoteAddress;
    }

    public String method() { return method; }
    /** The path exactly as received, still percent-encoded (federation signatures cover it). */
    public String rawPath() { return rawPath; }
    public String remoteAddress() { return remoteAddress; }
    public String header(String name) { return headers.apply(name); }

    /** A decoded path parameter declared in the endpoint template. */
    public String path(String name) {
        String value = pathParams.get(name);
        if (value == null) throw new IllegalArgumentException("no path parameter " + name);
        return value;
    }

    /** A decoded path parameter that only some of an endpoint's templates declare. */
    public Optional<String> pathOptional(String name) {
        return Optional.ofNullable(pathParams.get(name));
    }

    /** Every value of a repeated query parameter ({@code ?ver=10&ver=11}), in order; empty when absent. */
    public List<String> queryAll(String name) {
        List<String> values = query.get(name);
        return values == null ? List.of() : List.copyOf(values);
    }

    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The requester when a token was sent, or null (endpoints whose token is optional). */
    public Requester optionalRequester() { return requester; }

    /** The authenticated requester; the router guarantees presence on authenticated endpoints. */
    public Requester requester() {
        if (requester == null) throw new MatrixException(ErrCode.MISSING_TOKEN, 401, "Missing access token");
        return requester;
    }

    /**
     * The body as a stream: the connection itself on {@link Endpoint#streamsBody() streaming}
     * endpoints (read it once, enforcing your own limit), the buffered bytes elsewhere.
     */
    public java.io.InputStream bodyStream() {
        return bodyStream != null ? bodyStream : new java.io.ByteArrayInputStream(body);
    }

    /** The body's bytes as they came (empty without a body, or for a streamed body); for signatures over the raw body. */
    public byte[] rawBody() { return body; }

    /** Whether the request carried a body at all (an empty body reads as {@code {}} in {@link #json()}). */
    public boolean hasBody() { return body.length > 0; }

    /** The body as JSON; 400 {@code M_NOT_JSON} when it does not parse. An empty body reads as {@code {}}. */
    public JsonNode json() {
        if (parsed == null) {
            if (body.length == 0) {
                parsed = Json.object();
            } else {
                try {
                    parsed = Json.parse(body);
                } catch (IOException | RuntimeException e) {
                    throw MatrixException.notJson("Content not JSON: " + shortMessage(e));
                }
            }
        }
        return parsed;
    }

    /**
     * The body as a JSON object, which must be present: no body at all is 400 {@code M_NOT_JSON}
     * (as Synapse answers endpoints whose body the spec requires), another JSON value 400 {@code M_BAD_JSON}.
     */
    public ObjectNode requiredJsonObject() {
        if (body.length == 0) throw MatrixException.notJson("Content not JSON: this endpoint needs a JSON object body");
        return jsonObject();
    }

    /** The body as a JSON object; 400 {@code M_BAD_JSON} when it is another JSON value. */
    public ObjectNode jsonObject() {
        JsonNode node = json();
        if (!(node instanceof ObjectNode object)) throw MatrixException.badJson("Request body must be a JSON object");
        return object;
    }

    private static String shortMessage(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline > 0 ? message.substring(0, newline) : message;
    }
}
