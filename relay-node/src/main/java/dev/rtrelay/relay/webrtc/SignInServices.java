package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.http.AuthBrake;
import dev.rtrelay.relay.limits.KeyLimits;
import dev.rtrelay.relay.routing.DeploymentRouter;
import io.vertx.core.http.HttpClient;
import java.util.Optional;

/**
 * What both WebRTC sign-in endpoints work with.
 *
 * @param brake refuses addresses with too many failed authentications (429)
 * @param tokens seals and opens client secrets; empty when no secret is configured (the endpoints then answer 501)
 * @param http the verticle's client for provider requests
 * @param simulatedBase the in-process simulator's base URL, for {@code simulated/} deployments
 * @param timeoutMillis connect and idle timeout of each provider request
 */
public record SignInServices(
    KeyAuthenticator authenticator,
    AuthBrake brake,
    DeploymentRouter router,
    KeyLimits limits,
    Optional<CallTokens> tokens,
    HttpClient http,
    Optional<String> simulatedBase,
    long timeoutMillis) {}
