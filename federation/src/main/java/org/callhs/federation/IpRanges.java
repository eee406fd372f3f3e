package org.callhs.federation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.callhs.core.config.ConfigException;

/**
 * Which IP addresses outbound federation may connect to: not in the denylist, or in the
 * allowlist (the allowlist wins, as in Synapse). IPv4-mapped IPv6 addresses are checked as
 * the IPv4 address they carry.
 */
public final class IpRanges {
    /** One CIDR range. */
    record Cidr(byte[] network, int prefix) {
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

    public IpRanges(List<String> denylist, List<String> allowlist) {
        this.denied = parseAll(denylist, "federation.ip_range_denylist");
        this.allowed = parseAll(allowlist, "federation.ip_range_allowlist");
    }

    private static List<Cidr> parseAll(List<String> ranges, String key) {
        List<Cidr> out = new ArrayList<>();
        for (String r : ranges) out.add(parseCidr(r, key));
        return out;
    }

    /** Parses {@code a.b.c.d/n} or {@code v6::/n} (a bare address is a single-address range); ConfigException naming the key. */
    static Cidr parseCidr(String text, String key) {
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
