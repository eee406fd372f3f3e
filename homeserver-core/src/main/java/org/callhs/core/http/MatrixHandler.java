package org.callhs.core.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.callhs.core.auth.AccessTokenAuthenticator;
import org.callhs.core.auth.Requester;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.ratelimit.RateLimiter;
import org.callhs.core.util.Json;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge shared by every endpoint: CORS, body size limit, routing on the raw path,
 * access-token authentication, guest restrictions, rate limiting, and the rendering of every
 * error as a Matrix error body. Handlers run on virtual threads and may block.
 */
public final class MatrixHandler extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(MatrixHandler.class);
    private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
    private static final String ALLOWED_HEADERS = "X-Requested-With, Content-Type, Authorization, Date";

    private final Router router;
    private final org.callhs.core.metrics.HttpMetrics metrics;
    private final AccessTokenAuthenticator authenticator;
    private final RateLimiter rateLimiter;
    private final long maxBodyBytes;
    private final java.util.function.Supplier<org.callhs.core.spi.ServerRequestAuthenticator> serverAuthenticator;

    /**
     * @param serverAuthenticator checks X-Matrix signatures for {@link AuthKind#SERVER} endpoints
     *                            (supplies null when no federation module is installed: such
     *                            endpoints then answer 401)
     * @param metrics             where each request's route, status and duration are recorded
     */
    public MatrixHandler(Router router, AccessTokenAuthenticator authenticator, RateLimiter rateLimiter, long maxBodyBytes,
                         java.util.function.Supplier<org.callhs.core.spi.ServerRequestAuthenticator> serverAuthenticator,
                         org.callhs.core.metrics.HttpMetrics metrics) {
        this.metrics = metrics;
        this.router = router;
        this.authenticator = authenticator;
        this.rateLimiter = rateLimiter;
        this.maxBodyBytes = maxBodyBytes;
        this.serverAuthenticator = serverAuthenticator;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String method = request.getMethod();
        String rawPath = request.getHttpURI().getPath();
        ApiResponse result;
        String[] route = {org.callhs.core.metrics.HttpMetrics.UNMATCHED};
        try {
            result = "OPTIONS".equals(method) ? ApiResponse.empty() : dispatch(request, method, rawPath, route);
        } catch (MatrixException e) {
            result = ErrorRenderer.render(e);
        } catch (Exception | StackOverflowError e) {
            log.error("Unhandled error on {} {}", method, rawPath, e);
            result = ErrorRenderer.render(new MatrixException(ErrCode.UNKNOWN, 500, "Internal server error"));
        }
        write(response, callback, method, result);
        metrics.record(method, route[0], result.status(), System.nanoTime() - start);
        if (log.isDebugEnabled()) {
            log.atDebug().setMessage("request")
                    .addKeyValue("method", method)
                    .addKeyValue("path", rawPath)
                    .addKeyValue("status", result.status())
                    .addKeyValue("micros", (System.nanoTime() - start) / 1000)
                    .addKeyValue("client", Request.getRemoteAddr(request))
                    .log();
        }
        return true;
    }

    /** {@code route} receives the matched endpoint's path template, for the metrics. */
    private ApiResponse dispatch(Request request, String method, String rawPath, String[] route) throws Exception {
        Router.Match match = router.route(method, rawPath);
        // The body is read first, whatever the outcome: a response that leaves request content
        // unread makes Jetty close the connection, which keep-alive clients then trip over.
        // Streaming endpoints (uploads) read it themselves, with their own limit.
        boolean streams = match instanceof Router.Match.Found f && f.endpoint().streamsBody();
        byte[] body = streams ? new byte[0] : readBody(request);
        if (match instanceof Router.Match.NotFound) {
            throw MatrixException.unrecognized(404, "Unrecognized request");
        }
        if (match instanceof Router.Match.WrongMethod wrong) {
            // RFC 9110: a 405 names the methods the resource has (OPTIONS is answered everywhere, for CORS).
            java.util.TreeSet<String> allowed = new java.util.TreeSet<>(wrong.allowed());
            allowed.add("OPTIONS");
            throw new MatrixException(ErrCode.UNRECOGNIZED, 405, "Unrecognized request: method not allowed", Map.of(),
                    Map.of("Allow", String.join(", ", allowed)));
        }
        Router.Match.Found found = (Router.Match.Found) match;
        Endpoint endpoint = found.endpoint();
        route[0] = endpoint.path();
        Map<String, List<String>> query = parseQuery(request.getHttpURI().getQuery());
        String remote = Request.getRemoteAddr(request);
        Requester requester = endpoint.auth() == AuthKind.SERVER
                ? authenticateServer(request, method, rawPath, body)
                : authenticate(endpoint.auth(), request, query);
        rateLimiter.acquire(endpoint.rateLimitClass(), requester == null ? remote
                : requester.isServer() ? requester.origin() : requester.userId());
        ApiRequest apiRequest = new ApiRequest(method, rawPath, found.pathParams(), query,
                name -> request.getHeaders().get(name), body, streams ? Request.asInputStream(request) : null, requester, remote);
        return endpoint.handler().handle(apiRequest);
    }

    private Requester authenticate(AuthKind auth, Request request, Map<String, List<String>> query) {
        if (auth == AuthKind.NONE) return null;
        Optional<String> token = accessToken(request, query);
        if (token.isEmpty()) {
            if (auth == AuthKind.OPTIONAL) return null;
            throw new MatrixException(ErrCode.MISSING_TOKEN, 401, "Missing access token");
        }
        Requester requester = authenticator.authenticate(token.get())
                .orElseThrow(() -> new MatrixException(ErrCode.UNKNOWN_TOKEN, 401, "Unknown or revoked access token",
                        Map.of("soft_logout", false), Map.of()));
        if (requester.guest() && auth == AuthKind.USER) {
            throw new MatrixException(ErrCode.GUEST_ACCESS_FORBIDDEN, 403, "Guest access not allowed");
        }
        return requester;
    }

    private Requester authenticateServer(Request request, String method, String rawPath, byte[] body) {
        org.callhs.core.spi.ServerRequestAuthenticator verifier = serverAuthenticator.get();
        if (verifier == null) throw new MatrixException(ErrCode.UNAUTHORIZED, 401, "This server does not accept signed requests");
        String rawQuery = request.getHttpURI().getQuery();
        String target = rawQuery == null ? rawPath : rawPath + "?" + rawQuery;
        List<String> headers = request.getHeaders().getValuesList(HttpHeader.AUTHORIZATION);
        return Requester.server(verifier.authenticate(method, target, headers, body));
    }

    private static Optional<String> accessToken(Request request, Map<String, List<String>> query) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null) {
            if (header.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.of(header.substring(7).trim());
            throw new MatrixException(ErrCode.MISSING_TOKEN, 401, "Authorization header is not a Bearer token");
        }
        List<String> fromQuery = query.get("access_token");
        return fromQuery == null || fromQuery.isEmpty() ? Optional.empty() : Optional.of(fromQuery.get(0));
    }

    private byte[] readBody(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > maxBodyBytes) throw tooLarge();
        try (InputStream in = Request.asInputStream(request)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
            if (bytes.length > maxBodyBytes) throw tooLarge();
            return bytes;
        }
    }

    private MatrixException tooLarge() {
        // The rest of the body stays unread, so the connection cannot be reused: say so.
        return new MatrixException(ErrCode.TOO_LARGE, 413, "Request body larger than " + maxBodyBytes + " bytes",
                Map.of(), Map.of("Connection", "close"));
    }

    static Map<String, List<String>> parseQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return Map.of();
        Map<String, List<String>> params = new HashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = PercentDecoder.decodeQueryComponent(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : PercentDecoder.decodeQueryComponent(pair.substring(eq + 1));
            params.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
        }
        return params;
    }

    /** The CORS headers every answer carries (errors Jetty answers itself included). */
    static void corsHeaders(org.eclipse.jetty.http.HttpFields.Mutable headers) {
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
        headers.put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
        headers.put(new HttpField("Cross-Origin-Resource-Policy", "cross-origin"));
    }

    private static void write(Response response, Callback callback, String method, ApiResponse result) {
        response.setStatus(result.status());
        var headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        corsHeaders(headers);
        result.headers().forEach(headers::put);
        if (result.raw() != null) {
            writeRaw(response, callback, method, result.raw());
            return;
        }
        byte[] bytes = Json.bytes(result.body());
        headers.put(HttpHeader.CONTENT_LENGTH, bytes.length);
        if ("HEAD".equals(method)) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    /** Streams a non-JSON body (the handler runs on a virtual thread, so blocking writes are fine). */
    private static void writeRaw(Response response, Callback callback, String method, RawBody raw) {
        var headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, raw.contentType());
        if (raw.length() >= 0) headers.put(HttpHeader.CONTENT_LENGTH, raw.length());
        try (raw) {
            if ("HEAD".equals(method)) {
                response.write(true, null, callback);
                return;
            }
            try (java.io.OutputStream out = org.eclipse.jetty.io.Content.Sink.asOutputStream(response)) {
                raw.writeTo(out);
            }
        } catch (Exception e) {
            // The status line is gone already: all that is left is to cut the connection.
            log.debug("could not finish a {} response: {}", raw.contentType(), e.toString());
            callback.failed(e);
            return;
        }
        if (!"HEAD".equals(method)) callback.succeeded();
    }
}
