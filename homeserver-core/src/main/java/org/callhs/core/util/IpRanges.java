package org.callhs.core.util;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.config.ConfigException;

/**
 * Which IP addresses outbound requests (federation, URL previews) may connect to: not in the
 * denylist, or in the allowlist (the allowlist wins, as in Synapse). IPv4-mapped IPv6 addresses
 * are checked as the IPv4 address they carry.
 */
public final class IpRanges {
    /** Every range that is not the public internet (loopback, private, link-local, documentation, multicast...). */
    public static final List<String> DEFAULT_DENYLIST = List.of(
            "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24",
            "169.254.0.0/16", "192.88.99.0/24", "198.18.0.0/15", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "0.0.0.0/8", "255.255.255.255/32",
            "::1/128", "fe80::/10", "fc00::/7", "2001:db8::/32", "ff00::/8", "fec0::/10", "::/128");

    /** One CIDR range. */
    public record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] address) {
            if (address.length != network.length) return false;
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (address[i] != network[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> denied;
    private final List<Cidr> allowed;

    /** @param section the configuration section the lists come from, named in errors ({@code federation}) */
    public IpRanges(List<String> denylist, List<String> allowlist, String section) {
        this.denied = parseAll(denylist, section + ".ip_range_denylist");
        this.allowed = parseAll(allowlist, section + ".ip_range_allowlist");
    }

    private static List<Cidr> parseAll(List<String> ranges, String key) {
        List<Cidr> out = new ArrayList<>();
        for (String r : ranges) out.add(parseCidr(r, key));
        return out;
    }

    /** Parses {@code a.b.c.d/n} or {@code v6::/n} (a bare address is a single-address range); ConfigException naming the key. */
    public static Cidr parseCidr(String text, String key) {
        if (text == null || text.isBlank()) throw new ConfigException(key + ": empty range");
        int slash = text.indexOf('/');
        String host = slash < 0 ? text.trim() : text.substring(0, slash).trim();
        if (!host.matches("[0-9a-fA-F:.]+")) throw new ConfigException(key + ": not an IP range: " + text);
        byte[] address;
        try {
            address = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException(key + ": not an IP range: " + text);
        }
        int prefix;
        try {
            prefix = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": bad prefix length in " + text);
        }
        if (prefix < 0 || prefix > address.length * 8) throw new ConfigException(key + ": bad prefix length in " + text);
        return new Cidr(address, prefix);
    }

    /** Whether outbound requests may go to this address. */
    public boolean permitted(InetAddress address) {
        byte[] bytes = unmapped(address.getAddress());
        for (Cidr c : allowed) if (c.contains(bytes)) return true;
        for (Cidr c : denied) if (c.contains(bytes)) return false;
        return true;
    }

    private static byte[] unmapped(byte[] bytes) {
        if (bytes.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) mapped &= bytes[i] == 0;
            mapped &= bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
            if (mapped) return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
        }
        return bytes;
    }
}
