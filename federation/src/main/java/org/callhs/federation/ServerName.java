package org.callhs.federation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A server name as the spec's appendix "Server Name" defines it: a host (IPv4 literal,
 * bracketed IPv6 literal or DNS name of letters, digits, {@code -} and {@code .}) with an
 * optional decimal port from 1 to 65535. Anything else (a non-numeric or out-of-range port,
 * other characters, an empty host) is refused.
 *
 * @param host the host as written (IPv6 literals keep their brackets)
 * @param port the explicit port, or -1
 */
public record ServerName(String host, int port) {
    private static final Pattern DNS = Pattern.compile("[A-Za-z0-9.-]{1,255}");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]{2,45}]");

    public static Optional<ServerName> tryParse(String name) {
        if (name == null || name.isEmpty() || name.length() > 255) return Optional.empty();
        String host;
        String portText = null;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            if (close < 0) return Optional.empty();
            host = name.substring(0, close + 1);
            String rest = name.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) return Optional.empty();
                portText = rest.substring(1);
            }
            if (!IPV6.matcher(host).matches()) return Optional.empty();
        } else {
            int colon = name.indexOf(':');
            host = colon < 0 ? name : name.substring(0, colon);
            if (colon >= 0) portText = name.substring(colon + 1);
            if (!DNS.matcher(host).matches()) return Optional.empty();
        }
        int port = -1;
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Optional.empty();
            }
            port = Integer.parseInt(portText);
            if (port < 1 || port > 65535) return Optional.empty();
        }
        return Optional.of(new ServerName(host, port));
    }

    public static boolean isValid(String name) { return tryParse(name).isPresent(); }

    /** Whether the host is an IP literal (IPv4, or bracketed IPv6). */
    public boolean isIpLiteral() {
        return host.startsWith("[") || IPV4.matcher(host).matches();
    }

    /** The host without IPv6 brackets, as a resolver or socket wants it. */
    public String bareHost() {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    public boolean hasPort() { return port > 0; }

    @Override
    public String toString() { return port > 0 ? host + ":" + port : host; }
}
