package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.http.HttpErrors;
import dev.rtrelay.relay.http.RefusalLog;
import dev.rtrelay.relay.http.RelayException;
import dev.rtrelay.relay.upstream.FailureText;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/realtime/calls}: WebRTC sign-in, step two. Opens the relay token from {@code Authorization: Bearer},
 * forwards the client's SDP offer to the deployment the token was issued by, authenticated with the provider's
 * ephemeral key sealed in the token, and passes back the provider's status (201), {@code Location} (the call id) and
 * SDP answer unchanged. Audio then flows between the client and the provider directly; none passes the relay.
 *
 * <p>Bodies: {@code application/sdp} (the browser flow) is forwarded byte for byte; {@code multipart/form-data} with
 * {@code sdp} and {@code session} parts (the SDKs' {@code calls.create({sdp, session})}) is forwarded as multipart
 * with the session's model alias replaced by the deployment's model.
 */
public final class CallsEndpoint implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(CallsEndpoint.class);



  private final SignInServices services;

  public CallsEndpoint(SignInServices services) {
    this.services = services;
  }

  @Override
  public void handle(HttpServerRequest request) {
    request.pause();
    CallToken token;
    Principal principal;
    DeploymentConfig deployment;
    String contentType = Optional.ofNullable(request.getHeader(HttpHeaders.CONTENT_TYPE)).orElse("")
        .toLowerCase(Locale.ROOT);
    boolean multipart = contentType.startsWith("multipart/form-data");
    try {
      CallTokens opener = services.tokens().orElseThrow(WebRtcErrors::notConfigured);
      token = services.brake().guard(request, () -> opener.open(ClientCredentials.from(request.headers()).key()
          .orElseThrow(() -> RelayException.unauthorized(
              "Missing client secret: send 'Authorization: Bearer <client_secret.value>'"))));
      principal = services.authenticator().byAlias(token.keyAlias());
      deployment = services.router().deployment(token.deploymentId()).orElseThrow(() -> RelayException
          .unauthorized(
          "The deployment this client secret was issued by is no longer configured; request a new client secret"))
          .config();
      if (!multipart && !contentType.startsWith("application/sdp")) {
        throw new RelayException(415, "invalid_request_error", "Send the SDP offer as 'Content-Type: "
            + "application/sdp', or as multipart/form-data with 'sdp' and 'session' parts");
      }
    } catch (RelayException e) {
      RefusalLog.refused("WebRTC call", e);
      HttpErrors.respond(request, e);
      return;
    }
    Future<SdpOffer> offer = multipart ? SdpOffer.fromMultipart(request) : RequestBody.read(request).map(SdpOffer::raw);
    offer.compose(o -> services.limits().admitRequest(principal).map(v -> o))
        .compose(o -> forward(deployment, token, o))
        .onSuccess(reply -> {
          LOG.info("WebRTC call created: key '{}', model '{}', deployment {}, upstream status {}", principal.id(),
              token.modelAlias(), deployment.id(), reply.response().statusCode());
          passBack(request.response(), reply);
        })
        .onFailure(error -> {
          RelayException e = error instanceof RelayException r ? r
              : new RelayException(502, "upstream_error", "Call creation at deployment " + deployment.id()
                  + " failed: " + FailureText.category(error));
          if (!(error instanceof RelayException)) {
            LOG.warn("WebRTC call at deployment {} failed: {}", deployment.id(), FailureText.describe(error));
          }
          RefusalLog.refused("WebRTC call", e);
          HttpErrors.respond(request, e);
        });
  }

  private record Reply(HttpClientResponse response, Buffer body) {}

  private Future<Reply> forward(DeploymentConfig deployment, CallToken token, SdpOffer offer) {
    RequestOptions options = WebRtcUpstream.calls(deployment, services.simulatedBase(), token.upstreamSecret(),
        services.timeoutMillis());
    SdpOffer.Encoded encoded = offer.encode(deployment.providerModel());
    options.putHeader(HttpHeaders.CONTENT_TYPE, encoded.contentType());
    return services.http().request(options)
        .compose(req -> req.send(encoded.body()))
        .compose(response -> response.body().map(body -> new Reply(response, body)));
  }

  /** Status, call id and answer exactly as the provider gave them. */
  private static void passBack(HttpServerResponse response, Reply reply) {
    response.setStatusCode(reply.response().statusCode());
    for (String header : new String[] {"location", "content-type"}) {
      String value = reply.response().getHeader(header);
      if (value != null) {
        response.putHeader(header, value);
      }
    }
    response.end(reply.body());
  }
}
