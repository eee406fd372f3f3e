package org.callhs.core.sync;

import java.util.Map;
import java.util.TreeMap;
import org.callhs.core.error.MatrixException;

/**
 * The {@code since} / {@code next_batch} token of {@code /sync}: one position per stream
 * ({@code events}, {@code account_data}, {@code to_device}, ... and each module's own stream),
 * written as {@code name.position} pairs joined by {@code ~}. Clients treat it as opaque; a
 * stream missing from an old token counts as position 0.
 */
public record SyncToken(Map<String, Long> positions) {
    private static final int MAX_LENGTH = 1024;

    public SyncToken {
        positions = Map.copyOf(positions);
    }

    public long position(String stream) {
        return positions.getOrDefault(stream, 0L);
    }

    /** Parses a client's token; anything malformed is 400 {@code M_INVALID_PARAM}, never a 500. */
    public static SyncToken parse(String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) throw invalid();
        Map<String, Long> positions = new TreeMap<>();
        for (String pair : text.split("~", -1)) {
            int dot = pair.lastIndexOf('.');
            if (dot <= 0 || dot == pair.length() - 1) throw invalid();
            String name = pair.substring(0, dot);
            if (!validName(name)) throw invalid();
            long value;
            try {
                value = Long.parseLong(pair.substring(dot + 1));
            } catch (NumberFormatException e) {
                throw invalid();
            }
            if (value < 0 || positions.put(name, value) != null) throw invalid();
        }
        return new SyncToken(positions);
    }

    /** Stream names are lower-case letters, digits, underscores and hyphens. */
    public static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 40) return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        new TreeMap<>(positions).forEach((name, value) -> {
            if (!out.isEmpty()) out.append('~');
            out.append(name).append('.').append(value);
        });
        return out.toString();
    }

    private static MatrixException invalid() {
        return MatrixException.invalidParam("Invalid sync token");
    }
}
