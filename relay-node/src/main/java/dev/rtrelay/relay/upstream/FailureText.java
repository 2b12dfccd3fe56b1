package dev.rtrelay.relay.upstream;

/**
 * A provider request's failure described for clients and logs: the exception kind and a short single-line message.
 * Vert.x connect errors name host:port, which is safe; URLs with credentials and headers never reach these messages.
 */
public final class FailureText {
  private FailureText() {}

  public static String describe(Throwable error) {
    String message = error.getMessage() == null ? "" : error.getMessage().replaceAll("[\\r\\n]+", " ");
    if (message.length() > 160) {
      message = message.substring(0, 160) + "...";
    }
    return error.getClass().getSimpleName() + (message.isEmpty() ? "" : " (" + message + ")");
  }
}
