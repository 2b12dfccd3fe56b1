package dev.rtrelay.relay.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Trusted proxies are IP literals or CIDR ranges; names are refused (nothing is looked up). */
class AddressRangeTest {
  @Test
  void cidrRangesContainTheirAddressesOnly() {
    AddressRange ten = AddressRange.parse("10.0.0.0/8").orElseThrow();
    assertTrue(ten.contains("10.255.1.2"));
    assertFalse(ten.contains("11.0.0.1"));
    AddressRange odd = AddressRange.parse("192.168.1.128/25").orElseThrow();
    assertTrue(odd.contains("192.168.1.200"));
    assertFalse(odd.contains("192.168.1.100"));
    assertTrue(AddressRange.parse("127.0.0.1").orElseThrow().contains("127.0.0.1"));
    assertTrue(AddressRange.parse("2001:db8::/32").orElseThrow().contains("2001:db8::1"));
    assertFalse(AddressRange.parse("2001:db8::/32").orElseThrow().contains("10.0.0.1"));
  }

  @Test
  void namesAndNonsenseAreNotRanges() {
    for (String bad : new String[] {"localhost", "example.com", "10.0.0.0/33", "999.1.1.1", "10.0.0.0/x", ""}) {
      assertFalse(AddressRange.valid(bad), bad);
    }
  }
}
