package dev.rtrelay.relay.keys;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rtrelay.relay.config.VirtualKeyConfig;
import java.time.Instant;

/**
 * A key made through the management API.
 *
 * @param token hex SHA-256 of the key: how the API names a key after it was shown once (LiteLLM's "token")
 * @param definition the key's fields in LiteLLM's names, with {@code key_sha256} instead of the key: what an update
 *     starts from, and what a durable store keeps
 * @param config the validated key, as authentication uses it
 */
public record StoredKey(String token, ObjectNode definition, VirtualKeyConfig config, Instant createdAt,
    Instant updatedAt) {}
