package org.callhs.bench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * The homeserver under test: a plain-HTTP base URL whose host must be a loopback name
 * ({@code 127.0.0.1}, {@code localhost} or {@code ::1}). Anything else is refused, so the
 * load generator can never be pointed at somebody else's server.
 *
 * @param host       the host as written in the URL (brackets stripped for IPv6)
 * @param port       the TCP port (80 when the URL has none)
 * @param pathPrefix the base URL's path without a trailing slash ("" for the root)
 * @param addresses  the loopback addresses to connect to, tried in order
 */
public record LoopbackTarget(String host, int port, String pathPrefix, List<InetAddress> addresses) {

    private static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "localhost", "::1");

    /** Parses and checks a base URL such as {@code http://127.0.0.1:8008}. */
    public static LoopbackTarget parse(String baseUrl) {
        URI uri;
        try {
            uri = URI.create(baseUrl.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + baseUrl, e);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only plain http:// base URLs are supported (loopback needs no TLS): " + baseUrl);
        }
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("no host in base URL: " + baseUrl);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (!LOOPBACK_NAMES.contains(host)) {
            throw new IllegalArgumentException("refusing to load non-loopback host '" + host
                    + "': the base URL must name 127.0.0.1, localhost or ::1");
        }
        List<InetAddress> addresses = resolveLoopback(host);
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new LoopbackTarget(host, port, path, addresses);
    }

    /** The value of the Host request header. */
    public String hostHeader() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** The base URL, normalised. */
    public String baseUrl() {
        return "http://" + hostHeader() + pathPrefix;
    }

    private static List<InetAddress> resolveLoopback(String host) {
        try {
            List<InetAddress> all = List.of(InetAddress.getAllByName(host));
            // "localhost" comes from /etc/hosts: re-check that it really is loopback.
            for (InetAddress address : all) {
                if (!address.isLoopbackAddress()) {
                    throw new IllegalArgumentException("'" + host + "' resolves to non-loopback " + address.getHostAddress());
                }
            }
            return all;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve " + host, e);
        }
    }
}
