package org.callhs.core.util;

/** A listen address, {@code host:port} ({@code [v6]:port} for IPv6). */
public record HostPort(String host, int port) {
    public static HostPort parse(String value) {
        if (value == null) throw new IllegalArgumentException("expected HOST:PORT");
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) throw new IllegalArgumentException("expected HOST:PORT, got '" + value + "'");
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number, got '" + value + "'");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range in '" + value + "'");
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
