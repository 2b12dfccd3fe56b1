package dev.rtrelay.relay.config;

import dev.rtrelay.relay.cost.ModelPrices;
import java.util.Optional;

/**
 * One {@code model_list} entry: a concrete upstream for the alias {@code modelName}.
 *
 * @param id stable identifier used in logs and errors ({@code model_info.id}, else {@code <alias>#<index>}); never a key
 * @param providerModel the model after the provider prefix (for Azure: the deployment name)
 * @param apiKey absent only for the simulated provider
 * @param apiBase base URL; empty means the provider default (or the in-process simulator)
 * @param apiVersion Azure preview API version; when present Azure uses the preview path
 * @param organization optional OpenAI organization header value
 * @param weight relative share for simple-shuffle routing
 * @param prices USD per token: the built-in table's row for the model (or {@code model_info.base_model}) with
 *     {@code model_info} overrides; empty when neither knows the model (then cost is not computed)
 * @param vertex project, location and credentials of a {@code vertex_ai/} deployment; empty for other providers
 * @param bedrock region, credentials and endpoint of a {@code bedrock/} deployment; empty for other providers
 * @param warmConnections connected TCP/TLS connections kept ready per relay verticle for this deployment's host
 *     ({@code litellm_params.warm_connections}, relay extension); 0: none
 * @param warmMaxAgeMillis how long one is kept before it is replaced ({@code warm_connection_max_age_seconds})
 */
public record DeploymentConfig(
    String id,
    String modelName,
    Provider provider,
    String providerModel,
    Optional<Secret> apiKey,
    Optional<String> apiBase,
    Optional<String> apiVersion,
    Optional<String> organization,
    double weight,
    Optional<ModelPrices> prices,
    Optional<VertexSettings> vertex,
    Optional<BedrockSettings> bedrock,
    int warmConnections,
    long warmMaxAgeMillis) {}
