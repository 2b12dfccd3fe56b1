package dev.rtrelay.relay.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.config.Provider;
import dev.rtrelay.relay.config.Secret;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.junit5.VertxExtension;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** URL and header forms per provider, checked both as built and as seen by a real upstream. */
@ExtendWith(VertxExtension.class)
class UpstreamEndpointTest {
  private static DeploymentConfig deployment(Provider provider, String model, String base, String version) {
    return new DeploymentConfig("d", "alias", provider, model, Optional.of(new Secret("k")), Optional.ofNullable(base),
        Optional.ofNullable(version), Optional.empty(), 1, Optional.empty(), Optional.empty(), Optional.empty(), 0, 50_000);
  }

  @Test
  void openAiDefaultsToTheOfficialEndpoint() throws Exception {
    assertEquals("wss://api.openai.com/v1/realtime?model=gpt-realtime",
        UpstreamEndpoint.uri(deployment(Provider.OPENAI, "gpt-realtime", null, null), Optional.empty()));
  }

  @Test
  void apiBaseWithOrWithoutV1AndTrailingSlashGivesTheSamePath() throws Exception {
    for (String base : new String[] {"https://gw.example", "https://gw.example/", "https://gw.example/v1",
        "https://gw.example/v1/"}) {
      assertEquals("wss://gw.example/v1/realtime?model=m",
          UpstreamEndpoint.uri(deployment(Provider.OPENAI, "m", base, null), Optional.empty()), base);
    }
  }

  @Test
  void xaiDefaultsToItsEndpoint() throws Exception {
    assertEquals("wss://api.x.ai/v1/realtime?model=grok-voice",
        UpstreamEndpoint.uri(deployment(Provider.XAI, "grok-voice", null, null), Optional.empty()));
  }

  @Test
  void geminiUsesTheLivePathWithTheKeyInAHeaderAndNoBetaHeader() throws Exception {
    DeploymentConfig d = deployment(Provider.GEMINI, "gemini-2.0-flash-live-001", null, null);
    assertEquals("wss://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService"
        + ".BidiGenerateContent", UpstreamEndpoint.uri(d, Optional.empty()));
    var options = UpstreamEndpoint.options(d, Optional.empty(), Optional.of("realtime=v1"), 1000);
    assertEquals("k", options.getHeaders().get("x-goog-api-key"));
    assertEquals(null, options.getHeaders().get("OpenAI-Beta"));
    assertEquals(null, options.getHeaders().get("Authorization"));
  }

  @Test
  void azureUsesTheGaPathWithoutApiVersionAndThePreviewPathWithIt() throws Exception {
    assertEquals("wss://res.openai.azure.com/openai/v1/realtime?model=my-dep",
        UpstreamEndpoint.uri(deployment(Provider.AZURE, "my-dep", "https://res.openai.azure.com/", null),
            Optional.empty()));
    assertEquals("wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=my-dep",
        UpstreamEndpoint.uri(deployment(Provider.AZURE, "my-dep", "https://res.openai.azure.com/openai",
            "2024-10-01-preview"), Optional.empty()));
  }

  @Test
  void azureSendsApiKeyHeaderAndPreviewAddsTheBetaHeader() throws Exception {
    WebSocketConnectOptions ga = UpstreamEndpoint.options(
        deployment(Provider.AZURE, "dep", "https://r.openai.azure.com", null), Optional.empty(), Optional.empty(), 1000);
    assertEquals("k", ga.getHeaders().get("api-key"));
    assertNull(ga.getHeaders().get("Authorization"));
    assertNull(ga.getHeaders().get("OpenAI-Beta"));
    WebSocketConnectOptions preview = UpstreamEndpoint.options(
        deployment(Provider.AZURE, "dep", "https://r.openai.azure.com", "2024-10-01-preview"), Optional.empty(),
        Optional.empty(), 1000);
    assertEquals("realtime=v1", preview.getHeaders().get("OpenAI-Beta"));
  }

  @Test
  void azureGaAndPreviewRequestsReachARealServerInTheRightForm(Vertx vertx) throws Exception {
    FakeUpstream upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    String yaml = """
        model_list:
          - model_name: az-ga
            litellm_params: {model: azure/gpt-rt-dep, api_key: az-provider-key, api_base: %s}
            model_info: {mode: realtime}
          - model_name: az-preview
            litellm_params: {model: azure/gpt-rt-dep, api_key: az-provider-key, api_base: %s, api_version: 2024-10-01-preview}
            model_info: {mode: realtime}
        general_settings:
          master_key: %s
        """.formatted(upstream.baseUrl(), upstream.baseUrl(), RelayFixture.MASTER_KEY);
    RelayFixture relay = RelayFixture.start(vertx, yaml).await(10, TimeUnit.SECONDS);
    relay.connect("az-ga").await(10, TimeUnit.SECONDS).close().await(5, TimeUnit.SECONDS);
    relay.connect("az-preview").await(10, TimeUnit.SECONDS).close().await(5, TimeUnit.SECONDS);
    FakeUpstream.Handshake ga = upstream.handshakes().get(0);
    assertEquals("/openai/v1/realtime?model=gpt-rt-dep", ga.uri());
    assertEquals("az-provider-key", ga.headers().get("api-key"));
    assertNull(ga.headers().get("authorization"));
    FakeUpstream.Handshake preview = upstream.handshakes().get(1);
    assertEquals("/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-rt-dep", preview.uri());
    assertEquals("realtime=v1", preview.headers().get("openai-beta"));
    relay.close().await(10, TimeUnit.SECONDS);
  }
}
