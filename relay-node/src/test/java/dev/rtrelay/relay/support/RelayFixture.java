package dev.rtrelay.relay.support;

import dev.rtrelay.relay.RelayNode;
import dev.rtrelay.relay.ServerOptions;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.RelayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Starts a relay node on an ephemeral port from inline YAML and opens client sockets to it. */
public final class RelayFixture {
  public static final String MASTER_KEY = "sk-test-master-7f3a9c";
  public static final int CLIENT_MAX_BYTES = 64 * 1024 * 1024;

  private final Vertx vertx;
  private final RelayNode node;
  private final int managementPort;
  private final WebSocketClient client;

  private RelayFixture(Vertx vertx, RelayNode node, int managementPort) {
    this.vertx = vertx;
    this.node = node;
    this.managementPort = managementPort;
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(CLIENT_MAX_BYTES)
        .setMaxMessageSize(CLIENT_MAX_BYTES));
  }

  public static Future<RelayFixture> start(Vertx vertx, String yaml) {
    return start(vertx, yaml, Map.of());
  }

  public static Future<RelayFixture> start(Vertx vertx, String yaml, Map<String, String> env) {
    RelayConfig config = new ConfigLoader(env::get).parse(yaml, "test config");
    return RelayNode.start(vertx, config, ServerOptions.plain("127.0.0.1", 0, 2))
        .compose(node -> withManagement(vertx, node));
  }

  /** A relay with a given number of verticle instances (one, to make per-verticle state deterministic). */
  public static Future<RelayFixture> start(Vertx vertx, String yaml, int instances) {
    RelayConfig config = new ConfigLoader(name -> null).parse(yaml, "test config");
    return RelayNode.start(vertx, config, ServerOptions.plain("127.0.0.1", 0, instances))
        .compose(node -> withManagement(vertx, node));
  }

  /** A relay that publishes session events on this Vert.x instance's event bus (a test consumes them). */
  public static Future<RelayFixture> startPublishing(Vertx vertx, String yaml) {
    RelayConfig config = new ConfigLoader(name -> null).parse(yaml, "test config");
    return RelayNode.start(vertx, config, ServerOptions.plain("127.0.0.1", 0, 2), true)
        .compose(node -> withManagement(vertx, node));
  }

  /** The operators' listener on a free loopback port, as {@code --management-port 0} would start it. */
  private static Future<RelayFixture> withManagement(Vertx vertx, RelayNode node) {
    return node.startManagement("127.0.0.1", 0).map(port -> new RelayFixture(vertx, node, port));
  }

  public int port() {
    return node.port();
  }

  /** Port of /metrics and /health/*. */
  public int managementPort() {
    return managementPort;
  }

  public RelayNode node() {
    return node;
  }

  public WebSocketConnectOptions options(String model) {
    return new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port())
        .setURI("/v1/realtime?model=" + model);
  }

  public Future<WebSocket> connect(WebSocketConnectOptions options) {
    return client.connect(options);
  }

  /** Connects with the master key as a Bearer header. */
  public Future<WebSocket> connect(String model) {
    return connect(options(model).addHeader("Authorization", "Bearer " + MASTER_KEY));
  }

  /** Connects with handlers recording from the first frame on. */
  public Future<RecordingClient> record(WebSocketConnectOptions options) {
    return RecordingClient.connect(client, options);
  }

  /** Records a session opened with the master key as a Bearer header. */
  public Future<RecordingClient> record(String model) {
    return record(options(model).addHeader("Authorization", "Bearer " + MASTER_KEY));
  }

  /** The refusal's status and JSON body; fails if the upgrade unexpectedly succeeded. */
  public Future<Rejection> expectRejection(WebSocketConnectOptions options) {
    return client.connect(options).transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close();
        return Future.failedFuture(new AssertionError("upgrade succeeded but a refusal was expected"));
      }
      if (ar.cause() instanceof UpgradeRejectedException rejected) {
        Buffer body = rejected.getBody();
        return Future.succeededFuture(new Rejection(rejected.getStatus(),
            body == null || body.length() == 0 ? new JsonObject() : new JsonObject(body)));
      }
      return Future.failedFuture(ar.cause());
    });
  }

  public Future<Void> close() {
    return client.close().eventually(node::close);
  }

  /** The relay's /metrics from its management port. */
  public PrometheusSamples scrape() throws Exception {
    io.vertx.core.http.HttpClient http = vertx.createHttpClient();
    try {
      return new PrometheusSamples(OnEventLoop.call(vertx, () -> http.request(io.vertx.core.http.HttpMethod.GET,
          managementPort, "127.0.0.1", "/metrics").compose(r -> r.send().compose(resp -> resp.body())))
          .await(5, java.util.concurrent.TimeUnit.SECONDS).toString());
    } finally {
      http.close();
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  /** A refused upgrade. */
  public record Rejection(int status, JsonObject body) {
    public String message() {
      return body.getJsonObject("error", new JsonObject()).getString("message", "");
    }
  }
}
