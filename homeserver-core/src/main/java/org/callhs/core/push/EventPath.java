package org.callhs.core.push;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Dot-separated property paths of push rule conditions (appendix "Dot-separated property paths").
 * A dot separates property names; {@code \.} is a literal dot and {@code \\} a literal backslash
 * inside a name; any other backslash is literal, so {@code \x} stays a backslash followed by
 * {@code x}. Paths only descend through objects: an array, string or number on the way means the
 * property is absent.
 */
final class EventPath {
    private EventPath() {}

    /** The property names of {@code key}, unescaped. */
    static List<String> parse(String key) {
        List<String> names = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\\' && i + 1 < key.length() && (key.charAt(i + 1) == '.' || key.charAt(i + 1) == '\\')) {
                name.append(key.charAt(++i));
            } else if (c == '.') {
                names.add(name.toString());
                name.setLength(0);
            } else {
                name.append(c);
            }
        }
        names.add(name.toString());
        return names;
    }

    /** The value at {@code key} in {@code event}, or null when absent (JSON {@code null} is a value). */
    static JsonNode resolve(JsonNode event, String key) {
        JsonNode node = event;
        for (String name : parse(key)) {
            if (node == null || !node.isObject()) return null;
            node = node.get(name);
        }
        return node;
    }
}
