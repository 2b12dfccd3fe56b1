package dev.rtrelay.relay.config;

/**
 * A {@code model_list} entry the relay does not serve (a chat or embedding model, another provider), named in one
 * line at start so an operator pointing the relay at a LiteLLM proxy's config sees what it left out and why.
 *
 * @param path where it is, e.g. {@code model_list[3]}
 * @param modelName its {@code model_name}
 * @param model its {@code litellm_params.model} as written (an {@code os.environ/} reference is not resolved)
 * @param reason why it is skipped
 */
public record SkippedDeployment(String path, String modelName, String model, String reason) {}
