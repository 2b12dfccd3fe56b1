package dev.rtrelay.relay.http;

import dev.rtrelay.relay.auth.ClientCredentials;
import dev.rtrelay.relay.auth.KeyAuthenticator;
import dev.rtrelay.relay.auth.Principal;
import dev.rtrelay.relay.routing.DeploymentRouter;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** {@code GET /v1/models}: the aliases the caller's key may use, in OpenAI's list format. */
public final class ModelsEndpoint implements Handler<HttpServerRequest> {
  private final KeyAuthenticator authenticator;
  private final DeploymentRouter router;

  private final AuthBrake brake;

  public ModelsEndpoint(KeyAuthenticator authenticator, DeploymentRouter router, AuthBrake brake) {
    this.authenticator = authenticator;
    this.router = router;
    this.brake = brake;
  }

  @Override
  public void handle(HttpServerRequest request) {
    Principal principal;
    try {
      principal = brake.guard(request,
          () -> authenticator.authenticate(ClientCredentials.from(request.headers()).key()));
    } catch (RelayException e) {
      HttpErrors.respond(request, e);
      return;
    }
    JsonArray data = new JsonArray();
    for (String alias : router.aliases()) {
      if (principal.mayUse(alias)) {
        data.add(new JsonObject().put("id", alias).put("object", "model").put("created", 0).put("owned_by", "rtrelay"));
      }
    }
    HttpErrors.respondJson(request, 200, new JsonObject().put("object", "list").put("data", data));
  }
}
