package dev.rtrelay.relay.http;

import dev.rtrelay.relay.config.AddressRange;
import dev.rtrelay.relay.config.AuthBrakeSettings;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A brake on key guessing, per client address and per node: after {@code maxFailures} failed authentications within
 * a window, every request from that address that needs a key is refused with 429 and {@code Retry-After} until the
 * window has passed, before its key is even looked at; other addresses are not affected. Behind configured trusted
 * proxies (an ingress), the address is the client's as {@code X-Forwarded-For} names it, else the socket's peer.
 * At most {@link #MAX_ADDRESSES} addresses are tracked, so a flood from many addresses cannot grow memory without
 * bound.
 */
public final class AuthBrake {
  static final int MAX_ADDRESSES = 100_000;

  private final AuthBrakeSettings settings;
  private final List<AddressRange> trustedProxies;
  private final LongSupplier clockMillis;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /** Failures of one address in its current window. */
  private record Window(long startMillis, int failures) {}

  public AuthBrake(AuthBrakeSettings settings, List<String> trustedProxies, LongSupplier clockMillis) {
    this.settings = settings;
    this.trustedProxies = trustedProxies.stream().map(p -> AddressRange.parse(p).orElseThrow()).toList();
    this.clockMillis = clockMillis;
  }

  /**
   * Runs {@code authentication} for a request, unless its address is braked (429); a 401 from it counts against the
   * address. Anything else (403, 404, ...) is not a failed authentication and does not count.
   */
  public <T> T guard(HttpServerRequest request, Supplier<T> authentication) {
    if (!settings.enabled()) {
      return authentication.get();
    }
    String address = clientAddress(request);
    check(address);
    try {
      return authentication.get();
    } catch (RelayException e) {
      if (e.status() == 401) {
        failed(address);
      }
      throw e;
    }
  }

  /** The address a request is accounted to. */
  public String clientAddress(HttpServerRequest request) {
    String peer = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (trustedProxies.isEmpty() || !trusted(peer)) {
      return peer;
    }
    // The rightmost address a trusted proxy did not add is the client; anything left of it could be forged.
    String forwarded = String.join(",", request.headers().getAll("x-forwarded-for"));
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !trusted(hop)) {
        return hop;
      }
    }
    return peer;
  }

  private boolean trusted(String address) {
    return trustedProxies.stream().anyMatch(r -> r.contains(address));
  }

  void check(String address) {
    Window w = windows.get(address);
    long now = clockMillis.getAsLong();
    if (w == null || w.failures() < settings.maxFailures()) {
      return;
    }
    long left = windowEnd(w) - now;
    if (left <= 0) {
      windows.remove(address, w);
      return;
    }
    throw new RelayException(429, "rate_limit_error", "Too many failed authentications from this address; retry in "
        + (left + 999) / 1000 + " s", Optional.of((int) ((left + 999) / 1000)));
  }

  void failed(String address) {
    long now = clockMillis.getAsLong();
    if (windows.size() >= MAX_ADDRESSES && !windows.containsKey(address)) {
      windows.values().removeIf(w -> windowEnd(w) <= now);
      if (windows.size() >= MAX_ADDRESSES) {
        return;
      }
    }
    windows.compute(address, (a, w) -> w == null || windowEnd(w) <= now
        ? new Window(now, 1) : new Window(w.startMillis(), w.failures() + 1));
  }

  private long windowEnd(Window w) {
    return w.startMillis() + settings.windowSeconds() * 1000L;
  }
}
