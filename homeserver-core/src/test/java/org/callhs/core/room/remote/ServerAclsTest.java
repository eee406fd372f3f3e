package org.callhs.core.room.remote;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** The server ACL rules of the spec ("Server Access Control Lists"), on their own. */
class ServerAclsTest {
    private static JsonNode acl(String json) { return Json.parse(json); }

    @Test
    void denyWinsOverAllowAndEverythingElseIsDenied() {
        JsonNode acl = acl("{\"allow\": [\"*\"], \"deny\": [\"evil.example\", \"*.evil.example\"]}");
        assertThat(ServerAcls.allows(acl, "good.example")).isTrue();
        assertThat(ServerAcls.allows(acl, "evil.example")).isFalse();
        assertThat(ServerAcls.allows(acl, "sub.evil.example:8448")).isFalse();
        assertThat(ServerAcls.allows(acl("{\"allow\": [\"good.example\"]}"), "other.example")).isFalse();
        assertThat(ServerAcls.allows(acl("{}"), "any.example")).isFalse();
    }

    @Test
    void portsAreIgnoredGlobsMatchWholeNamesAndCaseDoesNotMatter() {
        JsonNode acl = acl("{\"allow\": [\"matrix.??g\", \"*.Example.COM\"]}");
        assertThat(ServerAcls.allows(acl, "matrix.org:443")).isTrue();
        assertThat(ServerAcls.allows(acl, "matrix.orgs")).isFalse();
        assertThat(ServerAcls.allows(acl, "a.example.com")).isTrue();
        assertThat(ServerAcls.allows(acl, "example.com")).isFalse();
        assertThat(ServerAcls.allows(acl("{\"allow\": [\"a.b\"]}"), "aXb")).as("dots are literal").isFalse();
    }

    @Test
    void ipLiteralsAreAllowedUnlessTheAclSaysOtherwise() {
        assertThat(ServerAcls.allows(acl("{\"allow\": [\"*\"]}"), "1.2.3.4:8448")).isTrue();
        JsonNode noLiterals = acl("{\"allow\": [\"*\"], \"allow_ip_literals\": false}");
        assertThat(ServerAcls.allows(noLiterals, "1.2.3.4:8448")).isFalse();
        assertThat(ServerAcls.allows(noLiterals, "[::1]:8448")).isFalse();
        assertThat(ServerAcls.allows(noLiterals, "host.example")).isTrue();
        assertThat(ServerAcls.hostOf("[::1]:8448")).isEqualTo("[::1]");
        assertThat(ServerAcls.hostOf("localhost:8448")).isEqualTo("localhost");
    }
}
