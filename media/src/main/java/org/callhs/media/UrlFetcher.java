package org.callhs.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.callhs.core.error.ErrCode;
import org.callhs.core.error.MatrixException;
import org.callhs.core.util.IpRanges;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Fetches the web pages and images URL previews need. Every address connected to, redirects
 * included, is checked against {@code media.url_preview}'s IP ranges first (so a preview cannot
 * reach this server's own network), HTTPS certificates are verified, at most five redirects are
 * followed, and {@code timeoutMs} bounds each whole exchange.
 */
final class UrlFetcher implements AutoCloseable {
    /** Reads an answer as it arrives. */
    @FunctionalInterface
    interface Reader<T> {
        T read(String contentType, InputStream body) throws IOException;
    }

    private final HttpClient http;
    private final long timeoutMs;

    UrlFetcher(MediaConfig.UrlPreview config) throws Exception {
        IpRanges ranges = new IpRanges(config.ipRangeDenylist(), config.ipRangeAllowlist(), MediaConfig.SECTION + ".url_preview");
        ClientConnector connector = new ClientConnector();
        connector.setSslContextFactory(new SslContextFactory.Client());
        connector.setConnectTimeout(java.time.Duration.ofMillis(config.timeoutMs()));
        http = new HttpClient(new org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP(connector));
        http.setSocketAddressResolver(new RangeChecked(ranges));
        http.setFollowRedirects(true);
        http.setMaxRedirects(5);
        http.setUserAgentField(new org.eclipse.jetty.http.HttpField(HttpHeader.USER_AGENT, "callhs (URL preview)"));
        http.setMaxConnectionsPerDestination(4);
        http.start();
        this.timeoutMs = config.timeoutMs();
    }

    /** Parses {@code url}: absolute http(s) with a host, or 400 {@code M_INVALID_PARAM}. */
    static URI parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw MatrixException.invalidParam("Invalid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw MatrixException.invalidParam("Only absolute http and https URLs can be previewed");
        }
        return uri;
    }

    /** GETs {@code uri}; a status other than 200 is 502, a refused address 403. */
    <T> T get(URI uri, Reader<T> reader) throws IOException {
        Request request = http.newRequest(uri).method("GET").timeout(timeoutMs, TimeUnit.MILLISECONDS)
                .headers(h -> h.put(HttpHeader.ACCEPT, "text/html, image/*;q=0.9, */*;q=0.5"));
        InputStreamResponseListener listener = new InputStreamResponseListener();
        request.send(listener);
        Response response;
        try {
            response = listener.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            request.abort(e);
            throw new MatrixException(ErrCode.UNKNOWN, 502, "Interrupted while fetching the URL");
        } catch (TimeoutException e) {
            request.abort(e);
            throw new MatrixException(ErrCode.UNKNOWN, 504, "Timed out fetching the URL");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Blocked blocked) throw new MatrixException(ErrCode.FORBIDDEN, 403, blocked.getMessage());
            if (cause instanceof TimeoutException) throw new MatrixException(ErrCode.UNKNOWN, 504, "Timed out fetching the URL");
            throw new MatrixException(ErrCode.UNKNOWN, 502, "Failed to fetch the URL: "
                    + (cause == null ? "failed" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
        }
        try (InputStream body = listener.getInputStream()) {
            if (response.getStatus() != 200) {
                throw new MatrixException(ErrCode.UNKNOWN, 502, "The URL answered HTTP " + response.getStatus());
            }
            return reader.read(response.getHeaders().get(HttpHeader.CONTENT_TYPE), body);
        } catch (IOException | RuntimeException e) {
            request.abort(e);
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        http.stop();
    }

    /** A host whose every address is refused by the ranges. */
    private static final class Blocked extends IOException {
        Blocked(String message) { super(message); }
    }

    private static final class RangeChecked implements SocketAddressResolver {
        private final IpRanges ranges;

        RangeChecked(IpRanges ranges) {
            this.ranges = ranges;
        }

        @Override
        public void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
            String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            try {
                List<InetSocketAddress> allowed = new ArrayList<>();
                for (InetAddress address : InetAddress.getAllByName(bare)) {
                    if (ranges.permitted(address)) allowed.add(new InetSocketAddress(address, port));
                }
                if (allowed.isEmpty()) {
                    promise.failed(new Blocked("Previews may not fetch " + bare + ": its address is in media.url_preview.ip_range_denylist"));
                } else {
                    promise.succeeded(allowed);
                }
            } catch (UnknownHostException e) {
                promise.failed(e);
            }
        }
    }
}
