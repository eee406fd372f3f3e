package org.callhs.core.spi;

/**
 * A top-level configuration section owned by a module, e.g. {@code delayed_events}. The loader
 * merges the file and {@code --set} values over {@code defaults}, binds the result to
 * {@code type} (unknown keys and bad values fail start-up naming the key) and hands it to the
 * module through {@link ModuleContext#config(ConfigSection)}.
 */
public record ConfigSection<T>(String key, Class<T> type, T defaults) {}
