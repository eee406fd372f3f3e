package org.callhs.complement.harness;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How the homeservers of a deployment are started: registration on/off, {@code --set} overrides,
 * an optional config file, and whether the scenario needs to control the processes.
 *
 * <p>Only {@link #defaults()} (open registration, rate limits off, nothing else) can be satisfied by
 * a remote homeserver ({@code COMPLEMENT_BASE_URL}); anything else needs processes we start.
 */
public final class HomeserverOptions {

    private final boolean registrationEnabled;
    private final Map<String, String> settings;
    private final Path configFile;
    private final String processControlReason;

    private HomeserverOptions(boolean registrationEnabled, Map<String, String> settings, Path configFile,
                              String processControlReason) {
        this.registrationEnabled = registrationEnabled;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        this.configFile = configFile;
        this.processControlReason = processControlReason;
    }

    /** Open registration ({@code --enable-registration}) and {@code rate_limits.enabled=false}. */
    public static HomeserverOptions defaults() {
        return new HomeserverOptions(true, Map.of("rate_limits.enabled", "false"), null, null);
    }

    /**
     * Rate limiting on ({@code rate_limits.enabled=true}), with registration, login, room creation
     * and joins allowed 1,000 a second, so that a scenario's setup is never limited and only the
     * limits it then sets itself apply.
     */
    public HomeserverOptions rateLimitedExceptSetup() {
        HomeserverOptions options = set("rate_limits.enabled", "true");
        for (String kind : java.util.List.of("registration", "login", "room_creation", "joins")) {
            options = options.set("rate_limits." + kind + ".per_second", "1000").set("rate_limits." + kind + ".burst", "1000");
        }
        return options;
    }

    /** Starts without {@code --enable-registration}. */
    public HomeserverOptions withoutRegistration() {
        return new HomeserverOptions(false, settings, configFile,
                reason("needs registration to be closed"));
    }

    /** Adds {@code --set key=value} (a later value for the same key wins). */
    public HomeserverOptions set(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.remove(key);
        copy.put(key, value);
        return new HomeserverOptions(registrationEnabled, copy, configFile,
                reason("needs server setting " + key + "=" + value));
    }

    /** Passes {@code --config file}; command-line flags still override it. */
    public HomeserverOptions configFile(Path file) {
        return new HomeserverOptions(registrationEnabled, settings, file, reason("needs a config file"));
    }

    /** Marks the scenario as needing process control (restart, kill -9, CLI commands, logs). */
    public HomeserverOptions requiringProcessControl(String why) {
        return new HomeserverOptions(registrationEnabled, settings, configFile, why);
    }

    private String reason(String why) {
        return processControlReason != null ? processControlReason : why;
    }

    public boolean registrationEnabled() { return registrationEnabled; }

    public Map<String, String> settings() { return settings; }

    public Optional<Path> configFile() { return Optional.ofNullable(configFile); }

    /** Why these options cannot be met by a remote homeserver; empty if they can. */
    public Optional<String> processControlReason() { return Optional.ofNullable(processControlReason); }
}
