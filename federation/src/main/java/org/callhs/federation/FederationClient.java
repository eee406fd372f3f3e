package org.callhs.federation;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.callhs.core.crypto.SigningKey;
import org.callhs.core.util.IpRanges;
import org.callhs.core.util.Json;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound Server-Server HTTP: discovery ({@link ServerResolver}), HTTPS with certificate
 * checks (or not, for loopback tests), the IP range policy on every address connected to,
 * X-Matrix signing over the exact request target sent, and timeouts on connect and on the
 * whole exchange. One Jetty {@link HttpClient} keeps connections per destination for reuse.
 * Answers must be JSON; anything else is a {@link FederationException}.
 */
public final class FederationClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FederationClient.class);
    /** Largest response body accepted (Synapse's largest request body is 200 x 64 KiB). */
    private static final int MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
    /** The longest a streamed answer (a media file) may take as a whole. */
    static final long STREAMED_TRANSFER_MS = 10 * 60_000;

    private final String origin;
    private final SigningKey key;
    private final FederationConfig config;
    private final ServerResolver resolver;
    /**
     * The client once made and started: in the background, alongside the rest of start-up, since
     * loading its classes and its TLS set-up (the JDK's CA list) take about a quarter second.
     */
    private final java.util.concurrent.CompletableFuture<HttpClient> started;
    private final Map<String, String> connectHosts = new ConcurrentHashMap<>();

    public FederationClient(String origin, SigningKey key, FederationConfig config, Dns dns, java.time.Clock clock) throws Exception {
        this.origin = origin;
        this.key = key;
        this.config = config;
        IpRanges ranges = new IpRanges(config.ipRangeDenylist(), config.ipRangeAllowlist(), "federation");
        // A configured CA file is read now, so a bad one stops start-up.
        KeyStore trusted = config.verifyCertificates() && !config.trustedCaFile().isBlank() ? trustStore(Path.of(config.trustedCaFile())) : null;
        this.started = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return startClient(dns, ranges, trusted);
            } catch (Exception e) {
                log.error("the federation HTTP client did not start", e);
                throw new java.util.concurrent.CompletionException(e);
            }
        }, task -> Thread.ofPlatform().daemon().name("federation-client-start").start(task));
        this.resolver = new ServerResolver(dns, this::fetchWellKnown, clock);
    }

    private HttpClient startClient(Dns dns, IpRanges ranges, KeyStore trusted) throws Exception {
        SslContextFactory.Client ssl = new SslContextFactory.Client(!config.verifyCertificates());
        if (config.verifyCertificates()) {
            ssl.setEndpointIdentificationAlgorithm("HTTPS");
            if (trusted != null) ssl.setTrustStore(trusted);
        } else {
            ssl.setEndpointIdentificationAlgorithm(null);
        }
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(ssl);
        connector.setConnectTimeout(java.time.Duration.ofMillis(config.connectTimeoutMs()));
        HttpClient http = new HttpClient(new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector));
        http.setSocketAddressResolver(new RangeCheckingResolver(dns, ranges, connectHosts));
        http.setFollowRedirects(false);
        http.setUserAgentField(new org.eclipse.jetty.http.HttpField(HttpHeader.USER_AGENT, "callhs"));
        http.setMaxConnectionsPerDestination(8);
        http.setIdleTimeout(90_000);
        http.start();
        // A Matrix 401 carries no WWW-Authenticate challenge: without this, Jetty turns it into a
        // protocol error and the remote's M_UNAUTHORIZED never reaches the caller.
        http.getProtocolHandlers().remove(org.eclipse.jetty.client.WWWAuthenticationProtocolHandler.NAME);
        http.getProtocolHandlers().remove(org.eclipse.jetty.client.ProxyAuthenticationProtocolHandler.NAME);
        return http;
    }

    /** The trust store of the JDK's default CAs plus every certificate in the PEM file. */
    private static KeyStore trustStore(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        int i = 0;
        for (javax.net.ssl.TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof javax.net.ssl.X509TrustManager x509) {
                for (Certificate c : x509.getAcceptedIssuers()) store.setCertificateEntry("jdk-" + i++, c);
            }
        }
        try (var in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) store.setCertificateEntry("extra-" + i++, c);
        }
        return store;
    }

    /** A signed request to another server; {@code rawTarget} is the percent-encoded path and query, as signed. */
    public JsonNode request(String destination, String method, String rawTarget, JsonNode body, long timeoutMs) {
        ServerName name = ServerName.tryParse(destination)
                .orElseThrow(() -> new FederationException(FederationException.Kind.DENIED, 0, null, "invalid server name " + destination));
        Route route = resolver.resolve(name);
        String authorization = XMatrix.authorization(key, method, rawTarget, origin, destination, body);
        return exchange(route, method, rawTarget, body, authorization, timeoutMs);
    }

    /** An unsigned GET (server keys), resolved like any request to that server. */
    public JsonNode getUnsigned(String destination, String rawTarget, long timeoutMs) {
        ServerName name = ServerName.tryParse(destination)
                .orElseThrow(() -> new FederationException(FederationException.Kind.DENIED, 0, null, "invalid server name " + destination));
        return exchange(resolver.resolve(name), "GET", rawTarget, null, null, timeoutMs);
    }

    /** Reads an answer as it arrives: its status, headers and body (which ends with the answer). */
    @FunctionalInterface
    public interface StreamedAnswer<T> {
        T read(int status, org.eclipse.jetty.http.HttpFields headers, java.io.InputStream body) throws IOException;
    }

    /**
     * A GET to another server whose answer is streamed to {@code reader} rather than buffered
     * (media); signed unless {@code signed} is false. {@code timeoutMs} bounds the wait for the
     * answer's head and any silence while its body arrives; the whole transfer may take up to
     * {@link #STREAMED_TRANSFER_MS}, so a large file on a slow link still arrives.
     */
    public <T> T getStreamed(String destination, String rawTarget, boolean signed, long timeoutMs, StreamedAnswer<T> reader)
            throws IOException {
        ServerName name = ServerName.tryParse(destination)
                .orElseThrow(() -> new FederationException(FederationException.Kind.DENIED, 0, null, "invalid server name " + destination));
        Route route = resolver.resolve(name);
        connectHosts.put(route.uriHost() + ":" + route.port(), route.connectHost());
        String uriHost = route.uriHost();
        String authorization = signed ? XMatrix.authorization(key, "GET", rawTarget, origin, destination, null) : null;
        Request request = http().newRequest(uriHost.startsWith("[") ? uriHost.substring(1, uriHost.length() - 1) : uriHost, route.port())
                .scheme("https").method("GET").path(rawTarget).followRedirects(!signed)
                .headers(h -> {
                    h.put(HttpHeader.HOST, route.hostHeader());
                    if (authorization != null) h.put(HttpHeader.AUTHORIZATION, authorization);
                });
        return streamed(request, timeoutMs, reader);
    }

    /** An unsigned GET of a URL another server pointed at (a media redirect), redirects followed, addresses range-checked. */
    public <T> T getUrlStreamed(String url, long timeoutMs, StreamedAnswer<T> reader) throws IOException {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new FederationException(FederationException.Kind.BAD_RESPONSE, 0, null, "not a URL: " + url);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new FederationException(FederationException.Kind.BAD_RESPONSE, 0, null, "not an HTTP(S) URL: " + url);
        }
        return streamed(http().newRequest(uri).method("GET").followRedirects(true), timeoutMs, reader);
    }

    private <T> T streamed(Request request, long timeoutMs, StreamedAnswer<T> reader) throws IOException {
        org.eclipse.jetty.client.InputStreamResponseListener listener = new org.eclipse.jetty.client.InputStreamResponseListener();
        request.timeout(Math.max(timeoutMs, STREAMED_TRANSFER_MS), TimeUnit.MILLISECONDS).idleTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .send(listener);
        org.eclipse.jetty.client.Response response;
        try {
            response = listener.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.abort(e);
            throw new FederationException(FederationException.Kind.UNREACHABLE, 0, null, "interrupted");
        } catch (TimeoutException e) {
            request.abort(e);
            throw new FederationException(FederationException.Kind.TIMEOUT, 0, null, "timed out after " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                throw new FederationException(FederationException.Kind.TIMEOUT, 0, null, "timed out after " + timeoutMs + " ms");
            }
            if (cause instanceof DeniedAddress d) throw new FederationException(FederationException.Kind.DENIED, 0, null, d.getMessage());
            throw new FederationException(FederationException.Kind.UNREACHABLE, 0, null,
                    cause == null ? "failed" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        try (java.io.InputStream body = listener.getInputStream()) {
            return reader.read(response.getStatus(), response.getHeaders(), body);
        } catch (IOException e) {
            request.abort(e);
            throw e;
        }
    }

    private JsonNode exchange(Route route, String method, String rawTarget, JsonNode body, String authorization, long timeoutMs) {
        ContentResponse response = send(route, method, rawTarget, body, authorization, timeoutMs, false);
        String type = response.getHeaders().get(HttpHeader.CONTENT_TYPE);
        JsonNode json = null;
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            try {
                json = Json.parse(response.getContent());
            } catch (IOException | RuntimeException e) {
                throw new FederationException(FederationException.Kind.BAD_RESPONSE, response.getStatus(), null,
                        "the response is not valid JSON");
            }
        }
        if (response.getStatus() / 100 != 2) {
            throw new FederationException(FederationException.Kind.HTTP_ERROR, response.getStatus(), json,
                    "HTTP " + response.getStatus() + (json != null && json.has("error") ? ": " + json.path("error").asText() : ""));
        }
        if (json == null) {
            throw new FederationException(FederationException.Kind.BAD_RESPONSE, response.getStatus(), null,
                    "the response is not JSON (Content-Type " + type + ")");
        }
        return json;
    }

    private ContentResponse send(Route route, String method, String rawTarget, JsonNode body, String authorization, long timeoutMs,
                                 boolean followRedirects) {
        connectHosts.put(route.uriHost() + ":" + route.port(), route.connectHost());
        String uriHost = route.uriHost();
        Request request = http().newRequest(uriHost.startsWith("[") ? uriHost.substring(1, uriHost.length() - 1) : uriHost, route.port())
                .scheme("https")
                .method(method)
                .path(rawTarget)
                .timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .followRedirects(followRedirects)
                .headers(h -> {
                    h.put(HttpHeader.HOST, route.hostHeader());
                    if (authorization != null) h.put(HttpHeader.AUTHORIZATION, authorization);
                    h.put(HttpHeader.ACCEPT, "application/json");
                });
        if (body != null) request.body(new BytesRequestContent("application/json", Json.bytes(body)));
        try {
            return new CompletableResponseListener(request, MAX_RESPONSE_BYTES).send().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FederationException(FederationException.Kind.UNREACHABLE, 0, null, "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof TimeoutException) {
                throw new FederationException(FederationException.Kind.TIMEOUT, 0, null, "timed out after " + timeoutMs + " ms");
            }
            if (cause instanceof FederationException f) throw f;
            if (cause instanceof DeniedAddress d) throw new FederationException(FederationException.Kind.DENIED, 0, null, d.getMessage());
            throw new FederationException(FederationException.Kind.UNREACHABLE, 0, null,
                    cause == null ? "failed" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    private Optional<ServerResolver.WellKnown> fetchWellKnown(String hostname) {
        try {
            // Redirects are followed here (the spec says so for the well-known), each hop through the IP range check.
            ContentResponse response = send(new Route(hostname, 443, hostname, hostname), "GET", "/.well-known/matrix/server",
                    null, null, Math.min(config.requestTimeoutMs(), 10_000), true);
            if (response.getStatus() != 200) return Optional.empty();
            JsonNode body = Json.parse(response.getContent());
            if (!body.isObject()) return Optional.empty();
            return Optional.of(new ServerResolver.WellKnown(body, response.getHeaders().get(HttpHeader.CACHE_CONTROL),
                    response.getHeaders().get(HttpHeader.EXPIRES)));
        } catch (IOException | RuntimeException e) {
            log.debug("no well-known for {}: {}", hostname, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public void close() throws Exception {
        HttpClient http;
        try {
            http = started.join();
        } catch (java.util.concurrent.CompletionException e) {
            return; // never started
        }
        http.stop();
    }

    /** The started client; its start is awaited the first time (a failed start fails each request as unreachable). */
    private HttpClient http() {
        try {
            return started.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new FederationException(FederationException.Kind.UNREACHABLE, 0, null, "the federation HTTP client did not start: "
                    + e.getCause());
        }
    }

    /** Refused by the IP range policy. */
    static final class DeniedAddress extends IOException {
        DeniedAddress(String message) { super(message); }
    }

    /** Looks up the host to connect to (the SRV target when discovery found one) and drops denied addresses. */
    private static final class RangeCheckingResolver implements SocketAddressResolver {
        private final Dns dns;
        private final IpRanges ranges;
        private final Map<String, String> connectHosts;

        RangeCheckingResolver(Dns dns, IpRanges ranges, Map<String, String> connectHosts) {
            this.dns = dns;
            this.ranges = ranges;
            this.connectHosts = connectHosts;
        }

        @Override
        public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            String target = connectHosts.getOrDefault(bare + ":" + port, connectHosts.getOrDefault(host + ":" + port, bare));
            try {
                List<InetSocketAddress> allowed = new ArrayList<>();
                for (InetAddress address : dns.addresses(target)) {
                    if (ranges.permitted(address)) allowed.add(new InetSocketAddress(address, port));
                }
                if (allowed.isEmpty()) {
                    promise.failed(new DeniedAddress("every address of " + target + " is in federation.ip_range_denylist"));
                } else {
                    promise.succeeded(allowed);
                }
            } catch (UnknownHostException e) {
                promise.failed(e);
            }
        }
    }
}
