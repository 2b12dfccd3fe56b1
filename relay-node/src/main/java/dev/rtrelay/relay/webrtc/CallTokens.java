package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.config.Secret;
import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals {@link CallToken}s into opaque client secrets with AES-256-GCM (JDK only) and opens them again. The keys
 * come from cluster-wide configured secrets, so any node opens a token any other node made. Rotation: the first
 * secret seals, every secret opens; a token names its key by a short id, so opening costs one decryption.
 *
 * <p>Token layout, base64url without padding after the {@code rtr_} prefix: version (1 byte), key id (4), nonce
 * (12), ciphertext and 16-byte tag. The version and key id are authenticated as associated data.
 */
public final class CallTokens {
  static final String PREFIX = "rtr_";
  private static final byte VERSION = 1;
  private static final int KEY_ID_BYTES = 4;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final String DERIVATION_LABEL = "rtrelay webrtc call token v1\0";

  private final List<Key> keys;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  CallTokens(List<Key> keys, Clock clock) {
    this.keys = keys;
    this.clock = clock;
  }

  /** @param secrets newest first; each is stretched into an AES-256 key, so any long random string works */
  public static CallTokens of(List<Secret> secrets, Clock clock) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret is needed");
    }
    List<Key> keys = new ArrayList<>();
    for (Secret s : secrets) {
      keys.add(Key.derive(s.reveal()));
    }
    return new CallTokens(List.copyOf(keys), clock);
  }

  public String seal(CallToken token) {
    Key key = keys.get(0);
    JsonObject payload = new JsonObject()
        .put("ek", token.upstreamSecret())
        .put("d", token.deploymentId())
        .put("m", token.modelAlias())
        .put("k", token.keyAlias())
        .put("t", token.teamId().orElse(null))
        .put("iat", token.issuedAt())
        .put("exp", token.expiresAt());
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    byte[] header = header(key.id);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.spec, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(header);
      byte[] sealed = cipher.doFinal(payload.encode().getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(header.length + nonce.length + sealed.length);
      out.put(header).put(nonce).put(sealed);
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /**
   * @throws RelayException 401 for anything that is not a live token sealed with one of our keys, with a message that
   *     says what to do and reveals nothing about the token's content
   */
  public CallToken open(String presented) {
    if (presented == null || !presented.startsWith(PREFIX)) {
      throw RelayException.unauthorized("Not a relay client secret: send 'Authorization: Bearer <client_secret.value>' "
          + "as returned by POST /v1/realtime/client_secrets");
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(presented.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw tampered();
    }
    int minimum = 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BITS / 8;
    if (raw.length < minimum || raw[0] != VERSION) {
      throw tampered();
    }
    byte[] keyId = Arrays.copyOfRange(raw, 1, 1 + KEY_ID_BYTES);
    Key key = keys.stream().filter(k -> Arrays.equals(k.id, keyId)).findFirst().orElseThrow(() ->
        RelayException.unauthorized("Client secret was not issued by this relay cluster, or its signing secret has "
            + "been rotated out; request a new one"));
    JsonObject payload;
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.spec,
          new GCMParameterSpec(TAG_BITS, raw, 1 + KEY_ID_BYTES, NONCE_BYTES));
      cipher.updateAAD(raw, 0, 1 + KEY_ID_BYTES);
      int offset = 1 + KEY_ID_BYTES + NONCE_BYTES;
      byte[] plain = cipher.doFinal(raw, offset, raw.length - offset);
      payload = new JsonObject(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException | RuntimeException e) {
      // A failed tag check (AEADBadTagException) is the usual case: altered bytes or a forged token.
      throw tampered();
    }
    CallToken token = new CallToken(payload.getString("ek"), payload.getString("d"), payload.getString("m"),
        payload.getString("k"), Optional.ofNullable(payload.getString("t")), payload.getLong("iat"),
        payload.getLong("exp"));
    long now = clock.instant().getEpochSecond();
    if (now >= token.expiresAt()) {
      throw RelayException.unauthorized("Client secret expired at " + Instant.ofEpochSecond(token.expiresAt())
          + "; request a fresh one right before creating the WebRTC offer");
    }
    return token;
  }

  private static RelayException tampered() {
    return RelayException.unauthorized("Client secret is malformed or has been altered; request a new one");
  }

  private static byte[] header(byte[] keyId) {
    byte[] header = new byte[1 + KEY_ID_BYTES];
    header[0] = VERSION;
    System.arraycopy(keyId, 0, header, 1, KEY_ID_BYTES);
    return header;
  }

  record Key(byte[] id, SecretKeySpec spec) {
    static Key derive(String secret) {
      byte[] material = sha256((DERIVATION_LABEL + secret).getBytes(StandardCharsets.UTF_8));
      byte[] id = Arrays.copyOf(sha256(material), KEY_ID_BYTES);
      return new Key(id, new SecretKeySpec(material, "AES"));
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
