package dev.rtrelay.relay.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IP address or CIDR range ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), written as literals only: nothing here
 * ever looks a name up in DNS.
 */
public record AddressRange(byte[] network, int prefixBits) {
  /** Whether {@code text} is an IP literal or a CIDR range. */
  public static boolean valid(String text) {
    return parse(text).isPresent();
  }

  public static Optional<AddressRange> parse(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    Optional<byte[]> bytes = literal(address);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    int bits = bytes.get().length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (bits < 0 || bits > bytes.get().length * 8) {
        return Optional.empty();
      }
    }
    return Optional.of(new AddressRange(bytes.get(), bits));
  }

  /** Whether {@code address} (an IP literal) is in this range. */
  public boolean contains(String address) {
    Optional<byte[]> bytes = literal(address);
    if (bytes.isEmpty() || bytes.get().length != network.length) {
      return false;
    }
    byte[] b = bytes.get();
    int full = prefixBits / 8;
    for (int i = 0; i < full; i++) {
      if (b[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (b[full] & mask) == (network[full] & mask);
  }

  /** The bytes of an IPv4 or IPv6 literal; empty for anything else (a host name is not resolved). */
  static Optional<byte[]> literal(String text) {
    String t = text.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean ipv4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean ipv6 = t.contains(":") && t.matches("[0-9a-fA-F:.%]+");
    if (!ipv4 && !ipv6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(t).getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }
}
