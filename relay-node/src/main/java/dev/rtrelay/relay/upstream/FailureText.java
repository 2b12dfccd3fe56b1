package dev.rtrelay.relay.upstream;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * A provider request's failure, described two ways: in full for the relay's own log (exception kind and a short
 * single-line message, which may name hosts and ports), and as a category for what a client is told and what labels
 * a metric ({@code connect_error}, {@code timeout}, {@code tls_error}, {@code dns_error}, {@code http_4xx} …): a
 * client never learns the relay's internal addresses or its exception classes.
 */
public final class FailureText {
  private FailureText() {}

  /** For the relay's log: kind and message on one line. URLs with credentials and headers never reach these. */
  public static String describe(Throwable error) {
    String message = error.getMessage() == null ? "" : error.getMessage().replaceAll("[\\r\\n]+", " ");
    if (message.length() > 160) {
      message = message.substring(0, 160) + "...";
    }
    return error.getClass().getSimpleName() + (message.isEmpty() ? "" : " (" + message + ")");
  }

  /** For clients and metric labels: a bounded category of why the provider could not be reached. */
  public static String category(Throwable error) {
    if (error instanceof UpstreamRefused refused && refused.status() > 0) {
      return status(refused.status());
    }
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof TimeoutException || e instanceof SslHandshakeTimeoutException
          || e.getClass().getSimpleName().contains("Timeout")) {
        return "timeout";
      }
      if (e instanceof UnknownHostException) {
        return "dns_error";
      }
      if (e instanceof SSLException) {
        return "tls_error";
      }
      if (e instanceof ConnectException) {
        return "connect_error";
      }
    }
    return "connect_error";
  }

  /** The category of an HTTP refusal: 429 on its own (it means "rate limited"), other codes by class. */
  public static String status(int status) {
    return status == 429 ? "rate_limited" : "http_" + (status / 100) + "xx";
  }
}
