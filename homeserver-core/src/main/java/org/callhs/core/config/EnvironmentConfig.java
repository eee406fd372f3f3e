package org.callhs.core.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Configuration from environment variables, for containers: {@code CALLHS__DATABASE__URL=jdbc:...}
 * sets {@code database.url}. The prefix is {@code CALLHS__}; a double underscore separates the
 * levels of a dotted key and names are lower-cased, so single underscores stay part of a key
 * ({@code CALLHS__REGISTRATION__SHARED_SECRET} is {@code registration.shared_secret}). Values
 * are read as YAML, as {@code --set} reads them. Other variables, {@code CALLHS_LIVEKIT} included,
 * are not configuration.
 */
public final class EnvironmentConfig {
    public static final String PREFIX = "CALLHS__";

    private EnvironmentConfig() {}

    /** Applies the {@code CALLHS__} variables to the tree, in name order; a bad one fails naming the variable. */
    static void apply(ObjectNode tree, Map<String, String> environment) {
        Map<String, String> sorted = new TreeMap<>();
        environment.forEach((name, value) -> {
            if (name.startsWith(PREFIX)) sorted.put(name, value);
        });
        sorted.forEach((name, value) -> {
            try {
                ConfigLoader.applySet(tree, key(name) + "=" + value);
            } catch (ConfigException e) {
                throw new ConfigException("environment variable " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /** {@code CALLHS__A_B__C} to {@code a_b.c}; a name that gives no key is refused, naming the variable. */
    static String key(String name) {
        String rest = name.substring(PREFIX.length());
        String[] parts = rest.split("__", -1);
        for (String part : parts) {
            if (part.isEmpty() || !part.matches("[A-Za-z0-9_]+") || part.startsWith("_") || part.endsWith("_")) {
                throw new ConfigException("environment variable " + name + " does not name a config key"
                        + " (CALLHS__SECTION__KEY, with __ between the levels)");
            }
        }
        return String.join(".", parts).toLowerCase(Locale.ROOT);
    }
}
