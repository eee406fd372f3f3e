package org.callhs.federation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Server names as the spec's appendix defines them. */
class ServerNameTest {
    @Test
    void validNamesParse() {
        assertThat(ServerName.tryParse("matrix.org")).contains(new ServerName("matrix.org", -1));
        assertThat(ServerName.tryParse("localhost:8448")).contains(new ServerName("localhost", 8448));
        assertThat(ServerName.tryParse("1.2.3.4:1")).contains(new ServerName("1.2.3.4", 1));
        assertThat(ServerName.tryParse("[1234:5678::abcd]:65535")).contains(new ServerName("[1234:5678::abcd]", 65535));
        assertThat(ServerName.tryParse("[::1]")).contains(new ServerName("[::1]", -1));
        assertThat(ServerName.tryParse("1.2.3.4").orElseThrow().isIpLiteral()).isTrue();
        assertThat(ServerName.tryParse("[::1]:8").orElseThrow().isIpLiteral()).isTrue();
        assertThat(ServerName.tryParse("[::1]:8").orElseThrow().bareHost()).isEqualTo("::1");
        assertThat(ServerName.tryParse("example.org").orElseThrow().isIpLiteral()).isFalse();
        assertThat(ServerName.tryParse("localhost:8448").orElseThrow().toString()).isEqualTo("localhost:8448");
    }

    @Test
    void invalidNamesAreRefused() {
        for (String bad : new String[] {"", "localhost:", "localhost:abc", "localhost:0", "localhost:65536", "localhost:123456",
                "local host", "host_name", "exa$mple.org", "[::1", "[::1]x", "[::1]:", "[zz]:80", ":80", "a:-1", "a:+80",
                "x".repeat(256)}) {
            assertThat(ServerName.tryParse(bad)).as(bad).isEmpty();
        }
    }
}
