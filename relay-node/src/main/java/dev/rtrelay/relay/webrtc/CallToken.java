package dev.rtrelay.relay.webrtc;

import java.util.Optional;

/**
 * What a WebRTC client secret issued by the relay stands for. Sealed inside the token, so the client sees none of
 * it (in particular not the provider's ephemeral key).
 *
 * @param upstreamSecret the provider's ephemeral key ({@code ek_...})
 * @param deploymentId where the secret was made: calls must go to the same deployment
 * @param modelAlias the alias the client asked for
 * @param keyAlias the virtual key that asked (or {@code master}); its limits apply to the call
 * @param teamId the key's team, for logs
 * @param issuedAt epoch seconds
 * @param expiresAt epoch seconds; the token is refused from then on
 */
public record CallToken(
    String upstreamSecret,
    String deploymentId,
    String modelAlias,
    String keyAlias,
    Optional<String> teamId,
    long issuedAt,
    long expiresAt) {

  @Override
  public String toString() {
    // The default record toString would print the provider's ephemeral key.
    return "CallToken[deployment=" + deploymentId + ", model=" + modelAlias + ", key=" + keyAlias + ", expiresAt="
        + expiresAt + "]";
  }
}
