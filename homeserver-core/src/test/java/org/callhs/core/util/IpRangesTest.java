package org.callhs.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.callhs.core.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The SSRF policy: the default denylist, the allowlist overriding it, IPv4-mapped addresses. */
class IpRangesTest {
    static InetAddress ip(String text) throws Exception { return InetAddress.getByName(text); }

    @Test
    void theDefaultDenylistRefusesNonPublicAddresses() throws Exception {
        IpRanges ranges = new IpRanges(IpRanges.DEFAULT_DENYLIST, List.of(), "federation");
        for (String denied : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1",
                "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1"}) {
            assertThat(ranges.permitted(ip(denied))).as(denied).isFalse();
        }
        for (String allowed : new String[] {"8.8.8.8", "172.32.0.1", "1.1.1.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"}) {
            assertThat(ranges.permitted(ip(allowed))).as(allowed).isTrue();
        }
    }

    @Test
    void theAllowlistWins() throws Exception {
        IpRanges ranges = new IpRanges(IpRanges.DEFAULT_DENYLIST, List.of("127.0.0.0/8", "10.0.0.5"), "federation");
        assertThat(ranges.permitted(ip("127.0.0.1"))).isTrue();
        assertThat(ranges.permitted(ip("10.0.0.5"))).isTrue();
        assertThat(ranges.permitted(ip("10.0.0.6"))).isFalse();
    }

    @Test
    void badRangesNameTheKey() {
        for (String bad : new String[] {"", "example.org/8", "10.0.0.0/33", "10.0.0.0/x", "::/129"}) {
            assertThatThrownBy(() -> new IpRanges(List.of(bad), List.of(), "federation")).as(bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("federation.ip_range_denylist");
        }
    }
}
