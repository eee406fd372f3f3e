package org.callhs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** The relaxed encoding: what Python's canonicaljson (Synapse's request signing) writes for numbers strict canonical JSON refuses. */
class CanonicalJsonRelaxedTest {
    static String relaxed(String json) {
        return new String(CanonicalJson.encodeRelaxed(Json.parse(json)), StandardCharsets.UTF_8);
    }

    @Test
    void floatsAreWrittenAsPythonsRepr() {
        // Expected values are Python 3's repr() of the same floats.
        assertThat(CanonicalJson.pythonRepr(1.5)).isEqualTo("1.5");
        assertThat(CanonicalJson.pythonRepr(1.0)).isEqualTo("1.0");
        assertThat(CanonicalJson.pythonRepr(0.1)).isEqualTo("0.1");
        assertThat(CanonicalJson.pythonRepr(-2.25)).isEqualTo("-2.25");
        assertThat(CanonicalJson.pythonRepr(-0.0)).isEqualTo("-0.0");
        assertThat(CanonicalJson.pythonRepr(1e15)).isEqualTo("1000000000000000.0");
        assertThat(CanonicalJson.pythonRepr(1e16)).isEqualTo("1e+16");
        assertThat(CanonicalJson.pythonRepr(1.2345e20)).isEqualTo("1.2345e+20");
        assertThat(CanonicalJson.pythonRepr(0.0001)).isEqualTo("0.0001");
        assertThat(CanonicalJson.pythonRepr(0.00001)).isEqualTo("1e-05");
        assertThat(CanonicalJson.pythonRepr(1.5e-7)).isEqualTo("1.5e-07");
        assertThat(CanonicalJson.pythonRepr(123.456)).isEqualTo("123.456");
        assertThat(CanonicalJson.pythonRepr(1e300)).isEqualTo("1e+300");
    }

    @Test
    void relaxedEqualsStrictForCanonicalValuesAndAcceptsWhatStrictRefuses() {
        String plain = "{\"b\":[1,\"x\",true,null],\"a\":{\"d\":-5,\"c\":\"\\u0001\"}}";
        assertThat(relaxed(plain)).isEqualTo(CanonicalJson.encodeToString(Json.parse(plain)));
        assertThat(relaxed("{\"v\":1.50,\"w\":2.0,\"big\":123456789012345678901234567890}"))
                .isEqualTo("{\"big\":123456789012345678901234567890,\"v\":1.5,\"w\":2.0}");
        assertThatThrownBy(() -> CanonicalJson.encode(Json.parse("{\"v\":1.5}"))).isInstanceOf(IllegalArgumentException.class);
    }
}
