package dev.rtrelay.relay;

import dev.rtrelay.metrics.NodeMetrics;
import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.cost.CostStats;
import dev.rtrelay.relay.events.EventLogSettings;
import dev.rtrelay.relay.events.EventStats;
import dev.rtrelay.relay.events.LoggerDirectory;
import dev.rtrelay.relay.guardrails.GuardrailRegistry;
import dev.rtrelay.relay.guardrails.GuardrailStats;
import dev.rtrelay.relay.http.AuthBrake;
import dev.rtrelay.relay.http.DrainState;
import dev.rtrelay.relay.keys.KeyStore;
import dev.rtrelay.relay.limits.KeyLimits;
import dev.rtrelay.relay.metrics.RelayMetrics;
import dev.rtrelay.relay.routing.DeploymentRouter;
import dev.rtrelay.relay.upstream.GoogleAccessTokens;
import dev.rtrelay.relay.upstream.WarmStats;
import dev.rtrelay.relay.upstream.bedrock.BedrockClients;
import dev.rtrelay.relay.webrtc.CallTokens;
import java.util.Optional;

/**
 * Node-wide state shared by every relay verticle instance (all thread-safe).
 *
 * @param config the config in force: the start's, until a reload replaces it
 * @param quiet a warm-up node: sessions are not logged one by one
 */
record NodeServices(
    LiveConfig config,
    KeyAuthenticator authenticator,
    KeyStore keyStore,
    KeyLimits limits,
    DeploymentRouter router,
    Optional<String> simulatedBase,
    String nodeId,
    boolean publishEvents,
    EventLogSettings eventLog,
    EventStats eventStats,
    LoggerDirectory loggers,
    GuardrailRegistry guardrails,
    GuardrailStats guardrailStats,
    CostStats costStats,
    Optional<CallTokens> callTokens,
    DrainState drain,
    NodeMetrics metrics,
    RelayMetrics relayMetrics,
    GoogleAccessTokens googleTokens,
    WarmStats warmStats,
    BedrockClients bedrockClients,
    AuthBrake authBrake,
    boolean quiet) {}
