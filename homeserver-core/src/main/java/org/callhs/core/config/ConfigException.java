package org.callhs.core.config;

/** Invalid configuration; the message names the offending key. Start-up fails with it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) { super(message); }
    public ConfigException(String message, Throwable cause) { super(message, cause); }
}
