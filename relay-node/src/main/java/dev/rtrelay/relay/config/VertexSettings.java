package dev.rtrelay.relay.config;

import java.util.Optional;

/**
 * Where a {@code vertex_ai/} deployment runs and how it authenticates, under LiteLLM's names.
 *
 * @param project {@code vertex_project}
 * @param location {@code vertex_location}, e.g. {@code us-central1}; {@code global} uses the global host
 * @param credentials {@code vertex_credentials}: a service-account JSON file path, or the JSON itself; empty means
 *     application default credentials
 */
public record VertexSettings(String project, String location, Optional<Secret> credentials) {}
