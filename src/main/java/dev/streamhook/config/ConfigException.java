package dev.streamhook.config;

/** A setting is missing or malformed. The message names the environment variable and how to fix it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
