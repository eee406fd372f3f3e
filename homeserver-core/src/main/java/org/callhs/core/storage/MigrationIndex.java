package org.callhs.core.storage;

import java.io.IOException;
import java.net.JarURLConnection;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The versions of the migrations a {@code classpath:} location holds, read from the class path
 * without Flyway: SQL scripts ({@code V7__name.sql}) and Java migrations ({@code V14__name.class},
 * which live in the package of the same path). Start-up compares them with a schema's history to
 * skip Flyway, its 430 classes and its checks, when nothing is left to apply. Empty when the
 * location is on something else than a directory or a jar: then Flyway decides.
 */
final class MigrationIndex {
    private static final Pattern VERSIONED = Pattern.compile("V([0-9][0-9._]*)__[^$/]*\\.(sql|class)");

    private MigrationIndex() {}

    static Optional<Set<String>> versions(ClassLoader loader, String location) {
        if (!location.startsWith("classpath:")) return Optional.empty();
        String path = location.substring("classpath:".length()).replaceAll("^/+|/+$", "");
        Set<String> versions = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources(path);
            if (!roots.hasMoreElements()) return Optional.empty();
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                switch (root.getProtocol()) {
                    case "file" -> fromDirectory(Path.of(root.toURI()), versions);
                    case "jar" -> fromJar(root, path, versions);
                    default -> { return Optional.empty(); }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.of(versions);
    }

    private static void fromDirectory(Path directory, Set<String> versions) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            files.forEach(file -> add(file.getFileName().toString(), versions));
        }
    }

    /** Per jar: the entries that look like migrations, read once (a jar of 20,000 entries is walked once, not once per schema). */
    private static final java.util.Map<String, java.util.List<String>> JAR_MIGRATIONS = new java.util.concurrent.ConcurrentHashMap<>();

    private static void fromJar(URL root, String path, Set<String> versions) throws IOException {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        String jarName = connection.getJarFileURL().toString();
        java.util.List<String> candidates = JAR_MIGRATIONS.get(jarName);
        if (candidates == null) {
            java.util.List<String> found = new java.util.ArrayList<>();
            try (JarFile jar = connection.getJarFile()) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (VERSIONED.matcher(name.substring(name.lastIndexOf('/') + 1)).matches()) found.add(name);
                }
            }
            candidates = List.copyOf(found);
            JAR_MIGRATIONS.put(jarName, candidates);
        }
        String prefix = path + "/";
        for (String name : candidates) {
            if (name.startsWith(prefix) && name.indexOf('/', prefix.length()) < 0) add(name.substring(prefix.length()), versions);
        }
    }

    private static void add(String fileName, Set<String> versions) {
        Matcher m = VERSIONED.matcher(fileName);
        if (m.matches()) versions.add(normalise(m.group(1)));
    }

    /** Flyway's version text: {@code _} separates like {@code .}, and leading zeros do not count ({@code 01} is {@code 1}). */
    static String normalise(String version) {
        StringBuilder out = new StringBuilder();
        for (String part : version.replace('_', '.').split("\\.")) {
            if (out.length() > 0) out.append('.');
            String trimmed = part.replaceFirst("^0+(?=\\d)", "");
            out.append(trimmed);
        }
        return out.toString();
    }

}
