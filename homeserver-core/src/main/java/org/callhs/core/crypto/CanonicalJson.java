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
        write(node, out, false);
        return out.toString();
    }

    /**
     * The encoding Synapse's Python {@code canonicaljson} produces for values strict canonical
     * JSON refuses: integers of any size, and non-integers as Python's {@code repr} of the
     * double ({@code 1.5}, {@code 1.0}, {@code 1e+16}, {@code 1e-05}). Only for request
     * signatures (never event hashes or signatures), where Synapse signs whatever a client sent;
     * otherwise identical to {@link #encode}. Lone surrogates are still refused.
     */
    public static byte[] encodeRelaxed(JsonNode node) {
        StringBuilder out = new StringBuilder(256);
        write(node, out, true);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(JsonNode node, StringBuilder out, boolean relaxed) {
        switch (node.getNodeType()) {
            case OBJECT -> writeObject(node, out, relaxed);
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) out.append(',');
                    write(node.get(i), out, relaxed);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> {
                if (relaxed) writeRelaxedNumber(node, out); else writeNumber(node, out);
            }
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not representable in canonical JSON: " + node.getNodeType());
        }
    }

    private static void writeObject(JsonNode node, StringBuilder out, boolean relaxed) {
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
            write(entry.getValue(), out, relaxed);
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

    private static void writeRelaxedNumber(JsonNode node, StringBuilder out) {
        if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else {
            out.append(pythonRepr(node.doubleValue()));
        }
    }

    /** Python's {@code repr(float)}: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String pythonRepr(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) throw new IllegalArgumentException("not a finite number");
        String sign = (value < 0 || (value == 0 && 1 / value < 0)) ? "-" : "";
        double abs = Math.abs(value);
        if (abs == 0) return sign + "0.0";
        java.math.BigDecimal shortest = new java.math.BigDecimal(Double.toString(abs)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int decpt = digits.length() - shortest.scale(); // the decimal point sits after this many digits
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
            if (decpt >= digits.length()) return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
            return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
        }
        int exponent = decpt - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + exp;
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
