package org.callhs.core.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Matrix canonical JSON (spec appendix "Canonical JSON"): no insignificant whitespace, object
 * keys sorted by Unicode code point, strings as raw UTF-8 with only {@code "}, {@code \} and
 * control characters escaped ({@code \b \f \n \r \t}, others as lower-case {@code \}{@code u00xx}),
 * integers only, within ±(2^53−1). Floats, out-of-range integers and lone surrogates are
 * rejected with {@link IllegalArgumentException}. These bytes are what gets hashed and signed;
 * a general-purpose serializer must never produce them.
 */
public final class CanonicalJson {
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Orders strings by code point (String.compareTo orders by UTF-16 unit, which differs above U+FFFF). */
    public static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private CanonicalJson() {}

    public static byte[] encode(JsonNode node) {
        return encodeToString(node).getBytes(StandardCharsets.UTF_8);
    }

    public static String encodeToString(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) out.append(',');
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> writeNumber(node, out);
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not representable in canonical JSON: " + node.getNodeType());
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(node.size());
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) entries.add(it.next());
        entries.sort(Map.Entry.comparingByKey(CODE_POINT_ORDER));
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> entry : entries) {
            if (!first) out.append(',');
            first = false;
            writeString(entry.getKey(), out);
            out.append(':');
            write(entry.getValue(), out);
        }
        out.append('}');
    }

    private static void writeNumber(JsonNode node, StringBuilder out) {
        if (!node.isIntegralNumber()) {
            // 1.0 parsed as a decimal is still an integer value; anything with a fraction is not allowed.
            if (node.isBigDecimal() || node.isDouble() || node.isFloat()) {
                java.math.BigDecimal decimal = node.decimalValue();
                if (decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0) {
                    writeInteger(decimal.toBigIntegerExact(), out);
                    return;
                }
            }
            throw new IllegalArgumentException("floating-point numbers are not allowed in canonical JSON");
        }
        writeInteger(node.bigIntegerValue(), out);
    }

    private static void writeInteger(BigInteger value, StringBuilder out) {
        if (value.bitLength() > 63 || Math.abs(value.longValue()) > MAX_SAFE_INTEGER) {
            throw new IllegalArgumentException("integer out of the canonical JSON range: " + value);
        }
        out.append(value.longValue());
    }

    private static void writeString(String value, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                            throw new IllegalArgumentException("lone surrogate in string");
                        }
                        out.append(c).append(value.charAt(++i));
                    } else if (Character.isLowSurrogate(c)) {
                        throw new IllegalArgumentException("lone surrogate in string");
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
