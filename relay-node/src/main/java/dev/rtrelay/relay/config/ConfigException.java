package dev.rtrelay.relay.config;

/** A configuration problem; the message names the offending field and never contains a secret value. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  static ConfigException at(String path, String problem) {
    return new ConfigException(path + ": " + problem);
  }
}
