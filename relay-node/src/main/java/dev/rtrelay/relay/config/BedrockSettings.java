package dev.rtrelay.relay.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a {@code bedrock/} deployment runs and how it authenticates, under LiteLLM's names. Without explicit keys or
 * a profile, the AWS default credential chain applies (environment, web identity, shared files, container or
 * instance roles).
 *
 * @param region {@code aws_region_name} (else {@code AWS_REGION} / {@code AWS_DEFAULT_REGION}); Nova 2 Sonic
 *     refuses cross-region calls, so this must be the model's region
 * @param accessKeyId {@code aws_access_key_id}, with {@code secretAccessKey} and optionally {@code sessionToken}
 * @param roleName {@code aws_role_name}: a role assumed (through STS) with the other credentials
 * @param sessionName {@code aws_session_name}, for the assumed role's session
 * @param profileName {@code aws_profile_name}: a profile of the shared AWS config files
 * @param runtimeEndpoint {@code aws_bedrock_runtime_endpoint}: e.g. a VPC endpoint; {@code http://} means
 *     cleartext HTTP/2 with prior knowledge (tests)
 * @param streamRenewal after this long a stream is renewed at the next quiet moment, ahead of Nova's limit on a
 *     stream's life (about 8 minutes); {@code stream_renewal_seconds}, a relay extension
 */
public record BedrockSettings(
    String region,
    Optional<Secret> accessKeyId,
    Optional<Secret> secretAccessKey,
    Optional<Secret> sessionToken,
    Optional<String> roleName,
    Optional<String> sessionName,
    Optional<String> profileName,
    Optional<String> runtimeEndpoint,
    Duration streamRenewal) {
  public static final Duration DEFAULT_STREAM_RENEWAL = Duration.ofSeconds(450);
}
