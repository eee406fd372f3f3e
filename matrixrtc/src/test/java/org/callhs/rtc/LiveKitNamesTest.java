package org.callhs.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Room names and identities match lk-jwt-service's byte for byte: the expected values were
 * computed with Go's {@code encoding/json}, {@code crypto/sha256} and unpadded base64, as that
 * service computes them.
 */
class LiveKitNamesTest {
    @Test
    void roomsAndIdentitiesAreTheHashesLkJwtServiceMakes() {
        assertThat(LiveKitNames.room("!abc:example.org", "m.call#ROOM")).isEqualTo("9YzbCxM8P0fwObUtiQ9m/ujMP9ruNMxS7SOsugBEaxA");
        assertThat(LiveKitNames.identity("@alice:example.org", "DEVICE", "member-1")).isEqualTo("ZhlrG5pVejj+OlqePjLQQjuMl0gaU5rmJ4LCmZOam2U");
    }

    @Test
    void stringsAreWrittenAsGoWritesThem() {
        String room = "!a<b>&c\u2028:x";
        String slot = "slot\"\\\n\t\b\f\u0001é😀";
        assertThat(LiveKitNames.goJsonArray(room, slot)).isEqualTo("[\"!a\\u003cb\\u003e\\u0026c\\u2028:x\",\"slot\\\"\\\\\\n\\t\\b\\f\\u0001é😀\"]");
        assertThat(LiveKitNames.room(room, slot)).isEqualTo("sRKqr9awdsSYR+3+pYHN6iBAtnZn+4hf9Jt5PLvoKck");
    }

    @Test
    void theLegacyIdentityIsUserAndDevice() {
        assertThat(LiveKitNames.legacyIdentity("@bob:example.org", "DEV")).isEqualTo("@bob:example.org:DEV");
    }
}
