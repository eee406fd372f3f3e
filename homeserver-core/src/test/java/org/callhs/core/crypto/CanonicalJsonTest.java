package org.callhs.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.callhs.core.util.Json;
import org.junit.jupiter.api.Test;

/** The examples of the spec's "Canonical JSON" appendix, plus the edge cases it forbids. */
class CanonicalJsonTest {
    private static String canon(String json) { return CanonicalJson.encodeToString(Json.parse(json)); }

    @Test
    void specExamples() {
        assertThat(canon("{}")).isEqualTo("{}");
        assertThat(canon("{\"one\": 1, \"two\": \"Two\"}")).isEqualTo("{\"one\":1,\"two\":\"Two\"}");
        assertThat(canon("{\"b\": \"2\", \"a\": \"1\"}")).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
        assertThat(canon("{\"auth\": {\"success\": true, \"mxid\": \"@john.doe:example.com\", \"profile\": {\"display_name\": \"John Doe\","
                + " \"three_pids\": [{\"medium\": \"email\", \"address\": \"john.doe@example.org\"}, {\"medium\": \"msisdn\","
                + " \"address\": \"123456789\"}]}}}"))
                .isEqualTo("{\"auth\":{\"mxid\":\"@john.doe:example.com\",\"profile\":{\"display_name\":\"John Doe\",\"three_pids\":"
                        + "[{\"address\":\"john.doe@example.org\",\"medium\":\"email\"},{\"address\":\"123456789\",\"medium\":\"msisdn\"}]},"
                        + "\"success\":true}}");
        assertThat(canon("{\"a\": \"日本語\"}")).isEqualTo("{\"a\":\"日本語\"}");
        assertThat(canon("{\"本\": 2, \"日\": 1}")).isEqualTo("{\"日\":1,\"本\":2}");
        assertThat(canon("{\"a\": \"\\u65E5\"}")).isEqualTo("{\"a\":\"日\"}");
        assertThat(canon("{\"a\": null}")).isEqualTo("{\"a\":null}");
        assertThat(canon("{\"a\": -0}")).isEqualTo("{\"a\":0}");
        assertThat(canon("{\"a\": \"\\u0000\\u001f\\n\\\"\\\\/\"}")).isEqualTo("{\"a\":\"\\u0000\\u001f\\n\\\"\\\\/\"}");
    }

    @Test
    void keysSortByCodePointNotUtf16Unit() {
        // U+1F600 (surrogate pair D83D DE00) sorts after U+FB01 by code point, before it by UTF-16 unit.
        assertThat(canon("{\"\uD83D\uDE00\": 1, \"\uFB01\": 2}")).isEqualTo("{\"\uFB01\":2,\"\uD83D\uDE00\":1}");
    }

    @Test
    void rejectsWhatCanonicalJsonCannotHold() {
        assertThatThrownBy(() -> canon("{\"a\": 1.5}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> canon("{\"a\": 9007199254740992}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> canon("{\"a\": -9007199254740992}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.encode(JsonNodeFactory.instance.textNode("\uD800"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(canon("{\"a\": 9007199254740991}")).isEqualTo("{\"a\":9007199254740991}");
    }
}
