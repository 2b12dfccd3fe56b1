package dev.rtrelay.relay.webrtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.config.Secret;
import dev.rtrelay.relay.http.RelayException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Sealing and opening WebRTC client secrets: round trip, rotation, expiry and tampering. */
class CallTokensTest {
  private static final Secret OLD = new Secret("old-secret-0123456789abcdef-0123456789abcdef");
  private static final Secret NEW = new Secret("new-secret-0123456789abcdef-0123456789abcdef");
  private static final Clock AT_1000 = Clock.fixed(Instant.ofEpochSecond(1000), ZoneOffset.UTC);
  private static final CallToken TOKEN = new CallToken("ek_secret_provider_key", "dep-1", "rt", "alice",
      Optional.of("team"), 990, 1600);

  @Test
  void roundTripKeepsEveryFieldAndHidesTheEphemeralKey() {
    CallTokens tokens = CallTokens.of(List.of(NEW), AT_1000);
    String sealed = tokens.seal(TOKEN);
    assertFalse(sealed.contains("ek_secret"), sealed);
    assertEquals(TOKEN, tokens.open(sealed));
    assertFalse(tokens.seal(TOKEN).equals(sealed), "a fresh nonce per token");
  }

  @Test
  void rotationOpensTokensOfTheOlderSecretAndSealsWithTheNewest() {
    String byOld = CallTokens.of(List.of(OLD), AT_1000).seal(TOKEN);
    CallTokens rotated = CallTokens.of(List.of(NEW, OLD), AT_1000);
    assertEquals(TOKEN, rotated.open(byOld));
    String byNew = rotated.seal(TOKEN);
    RelayException notOurs = assertThrows(RelayException.class, () -> CallTokens.of(List.of(OLD), AT_1000).open(byNew));
    assertEquals(401, notOurs.status());
    assertTrue(notOurs.getMessage().contains("rotated out"), notOurs.getMessage());
  }

  @Test
  void expiredTokensAreRefusedFromTheirExpirySecond() {
    String sealed = CallTokens.of(List.of(NEW), AT_1000).seal(TOKEN);
    CallTokens later = CallTokens.of(List.of(NEW), Clock.fixed(Instant.ofEpochSecond(1600), ZoneOffset.UTC));
    RelayException expired = assertThrows(RelayException.class, () -> later.open(sealed));
    assertEquals(401, expired.status());
    assertTrue(expired.getMessage().contains("expired"), expired.getMessage());
  }

  @Test
  void everyAlteredByteIsDetected() {
    CallTokens tokens = CallTokens.of(List.of(NEW), AT_1000);
    String sealed = tokens.seal(TOKEN);
    byte[] raw = java.util.Base64.getUrlDecoder().decode(sealed.substring(CallTokens.PREFIX.length()));
    for (int i = 0; i < raw.length; i++) {
      byte[] altered = raw.clone();
      altered[i] ^= 0x01;
      String bad = CallTokens.PREFIX + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(altered);
      RelayException e = assertThrows(RelayException.class, () -> tokens.open(bad), "byte " + i);
      assertEquals(401, e.status());
    }
    assertEquals(401, assertThrows(RelayException.class, () -> tokens.open("rtr_!!")).status());
    assertEquals(401, assertThrows(RelayException.class, () -> tokens.open("ek_provider")).status());
  }
}
