package org.callhs.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.callhs.core.config.ConfigLoader;
import org.callhs.core.spi.ConfigSection;
import org.callhs.core.spi.HomeserverModule;
import picocli.CommandLine.Option;

/**
 * The options that shape configuration, shared by the commands. Precedence, lowest first:
 * built-in defaults, the YAML file, {@code CALLHS__} environment variables, these flags, then
 * {@code --set} entries.
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(names = "--server-name", paramLabel = "NAME", description = "Server name (default: localhost).")
    String serverName;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: ./data).")
    String dataDir;

    @Option(names = "--database-url", paramLabel = "URL", description = "jdbc:postgresql://... selects PostgreSQL; default SQLite in the data dir.")
    String databaseUrl;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override any configuration key, e.g. --set rate_limits.enabled=false.")
    List<String> sets = new ArrayList<>();

    /** Flags as {@code --set} assignments, then the explicit ones. */
    List<String> assignments(List<String> commandFlags) {
        List<String> all = new ArrayList<>();
        if (serverName != null) all.add("server_name=" + quoted(serverName));
        if (dataDir != null) all.add("data_dir=" + quoted(dataDir));
        if (databaseUrl != null) all.add("database.url=" + quoted(databaseUrl));
        all.addAll(commandFlags);
        all.addAll(sets);
        return all;
    }

    ConfigLoader.Loaded load(List<String> commandFlags, List<HomeserverModule> modules) {
        List<ConfigSection<?>> sections = new ArrayList<>();
        modules.forEach(m -> sections.addAll(m.configSections()));
        return ConfigLoader.load(config, System.getenv(), assignments(commandFlags), sections);
    }

    static List<HomeserverModule> modules() {
        List<HomeserverModule> modules = new ArrayList<>();
        ServiceLoader.load(HomeserverModule.class).forEach(modules::add);
        return modules;
    }

    /** A YAML double-quoted scalar, so values like "localhost:8448" or "off" stay strings. */
    static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
