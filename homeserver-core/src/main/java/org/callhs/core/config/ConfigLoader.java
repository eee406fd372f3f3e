package org.callhs.core.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.callhs.core.spi.ConfigSection;

/**
 * Loads configuration: defaults, then the YAML file, then {@code CALLHS__} environment variables
 * ({@link EnvironmentConfig}), then {@code --set dotted.key=value}
 * overrides (values are parsed as YAML scalars or flow collections). Unknown keys and
 * values of the wrong type fail with a {@link ConfigException} naming the dotted key.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY) // --set list.key=one-value gives a one-element list
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    static {
        // "yes" is not a number and 1.5 is not an int: refuse coercions that hide typos.
        YAML.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        YAML.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        YAML.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        YAML.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        YAML.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    }

    /** The loaded result: core configuration plus each module section, already bound. */
    public record Loaded(HomeserverConfig core, Map<String, Object> sections) {
        public <T> T section(ConfigSection<T> section) {
            Object value = sections.get(section.key());
            if (value == null) throw new IllegalStateException("section not loaded: " + section.key());
            return section.type().cast(value);
        }
    }

    private ConfigLoader() {}

    public static Loaded load(Path file, List<String> sets, List<ConfigSection<?>> moduleSections) {
        return load(file, Map.of(), sets, moduleSections);
    }

    /** As {@link #load(Path, List, List)}, with {@code CALLHS__} environment variables between the file and the sets. */
    public static Loaded load(Path file, Map<String, String> environment, List<String> sets, List<ConfigSection<?>> moduleSections) {
        ObjectNode tree = file == null ? YAML.createObjectNode() : readFile(file);
        EnvironmentConfig.apply(tree, environment);
        for (String set : sets) applySet(tree, set);
        return bind(tree, moduleSections);
    }

    /** Binds a complete tree (defaults are merged underneath). */
    public static Loaded bind(ObjectNode userTree, List<ConfigSection<?>> moduleSections) {
        Map<String, ConfigSection<?>> byKey = moduleSections.stream()
                .collect(Collectors.toMap(ConfigSection::key, s -> s, (a, b) -> {
                    throw new IllegalStateException("two modules claim config section " + a.key());
                }, LinkedHashMap::new));
        ObjectNode coreTree = YAML.createObjectNode();
        Map<String, JsonNode> sectionTrees = new LinkedHashMap<>();
        ObjectNode coreDefaults = YAML.valueToTree(HomeserverConfig.defaults());
        for (Iterator<Map.Entry<String, JsonNode>> it = userTree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (byKey.containsKey(entry.getKey()) && coreDefaults.get(entry.getKey()) instanceof ObjectNode coreSection
                    && entry.getValue() instanceof ObjectNode given) {
                // A section core and a module share (federation: core's listener, the module's client):
                // the keys core knows are core's, every other key is the module's.
                ObjectNode corePart = YAML.createObjectNode();
                ObjectNode modulePart = YAML.createObjectNode();
                given.fields().forEachRemaining(e -> (coreSection.has(e.getKey()) ? corePart : modulePart).set(e.getKey(), e.getValue()));
                coreTree.set(entry.getKey(), corePart);
                sectionTrees.put(entry.getKey(), modulePart);
            } else if (byKey.containsKey(entry.getKey())) {
                sectionTrees.put(entry.getKey(), entry.getValue());
            } else {
                coreTree.set(entry.getKey(), entry.getValue());
            }
        }
        HomeserverConfig core = bindOne(coreTree, HomeserverConfig.class, HomeserverConfig.defaults(), "");
        ConfigValidator.validate(core);
        Map<String, Object> sections = new LinkedHashMap<>();
        for (ConfigSection<?> section : byKey.values()) {
            JsonNode given = sectionTrees.getOrDefault(section.key(), YAML.createObjectNode());
            sections.put(section.key(), bindOne(given, section.type(), section.defaults(), section.key() + "."));
        }
        return new Loaded(core, sections);
    }

    private static <T> T bindOne(JsonNode given, Class<T> type, Object defaults, String prefix) {
        if (!given.isObject()) {
            throw new ConfigException("config key '" + trimDot(prefix) + "' must be a mapping");
        }
        ObjectNode merged = YAML.valueToTree(defaults);
        deepMerge(merged, (ObjectNode) given);
        try {
            return YAML.treeToValue(merged, type);
        } catch (JsonMappingException e) {
            throw new ConfigException("config key '" + prefix + dottedPath(e) + "': " + reason(e), e);
        } catch (IOException e) {
            throw new ConfigException("config: " + e.getMessage(), e);
        }
    }

    private static ObjectNode readFile(Path file) {
        try {
            String text = Files.readString(file);
            JsonNode node = YAML.readTree(text);
            if (node == null || node instanceof NullNode || node.isMissingNode()) return YAML.createObjectNode();
            if (!(node instanceof ObjectNode object)) throw new ConfigException("config file " + file + " must be a YAML mapping");
            return object;
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Applies one {@code dotted.key=value}; the value is parsed as YAML (so 3, true, [a, b] work). */
    public static void applySet(ObjectNode tree, String assignment) {
        int eq = assignment.indexOf('=');
        if (eq <= 0) throw new ConfigException("--set expects dotted.key=value, got '" + assignment + "'");
        String key = assignment.substring(0, eq).trim();
        String rawValue = assignment.substring(eq + 1);
        JsonNode value;
        try {
            value = rawValue.isEmpty() ? YAML.getNodeFactory().textNode("") : YAML.readTree(rawValue);
            if (value == null || value.isMissingNode()) value = YAML.getNodeFactory().textNode(rawValue);
        } catch (IOException e) {
            throw new ConfigException("--set " + key + ": value is not valid YAML: " + e.getMessage(), e);
        }
        String[] parts = key.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = YAML.createObjectNode();
                node.set(parts[i], child);
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], value);
    }

    private static void deepMerge(ObjectNode target, ObjectNode source) {
        for (Iterator<Map.Entry<String, JsonNode>> it = source.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode existing = target.get(entry.getKey());
            if (existing instanceof ObjectNode existingObject && entry.getValue() instanceof ObjectNode sourceObject) {
                deepMerge(existingObject, sourceObject);
            } else {
                target.set(entry.getKey(), entry.getValue());
            }
        }
    }

    private static String dottedPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) path.append('.');
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String reason(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException) return "unknown key";
        String message = e.getOriginalMessage();
        int newline = message.indexOf('\n');
        return "invalid value (" + (newline > 0 ? message.substring(0, newline) : message) + ")";
    }

    private static String trimDot(String prefix) {
        return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }

    /** The mapper used for configuration, for modules that bind nested values themselves. */
    public static ObjectMapper mapper() { return YAML; }
}
