package dev.rtrelay.relay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rtrelay.relay.config.KeyDigest;
import dev.rtrelay.relay.support.FakeUpstream;
import dev.rtrelay.relay.support.OnEventLoop;
import dev.rtrelay.relay.support.RecordingClient;
import dev.rtrelay.relay.support.RelayFixture;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 19, item 1: LiteLLM's key and team endpoints on the management listener. A key made there admits sessions at
 * once, with its limits; it is shown once and named by its token afterwards; the config's keys win on conflict.
 */
@ExtendWith(VertxExtension.class)
class KeyManagementApiTest {
  private static final String CONFIG_KEY = "sk-config-key-for-api-test-1f2e";
  private FakeUpstream upstream;
  private RelayFixture relay;
  private HttpClient http;

  /** One HTTP answer: status and body. */
  private record Answer(int status, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }

    String message() {
      return json().getJsonObject("error").getString("message");
    }
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    upstream = FakeUpstream.echo(vertx).await(10, TimeUnit.SECONDS);
    relay = RelayFixture.start(vertx, """
        model_list:
          - model_name: voice
            litellm_params: {model: openai/gpt-realtime, api_key: sk-provider-1, api_base: %s}
            model_info: {mode: realtime}
          - model_name: voice-mini
            litellm_params: {model: openai/gpt-realtime-mini, api_key: sk-provider-1, api_base: %s}
            model_info: {mode: realtime}
        guardrails:
          - guardrail_name: no-injection
            litellm_params:
              guardrail: litellm_content_filter
              mode: pre_call
              blocked_words:
                - {keyword: system update, action: BLOCK}
        general_settings:
          master_key: %s
          teams:
            - {team_id: cfg-team, max_parallel_requests: 1}
          virtual_keys:
            - {key_alias: from-config, key: %s}
            - {key_alias: cfg-a, key: sk-config-team-a-0a1b2c3d4e, team_id: cfg-team}
            - {key_alias: cfg-b, key: sk-config-team-b-0a1b2c3d4e, team_id: cfg-team}
        """.formatted(upstream.baseUrl(), upstream.baseUrl(), RelayFixture.MASTER_KEY, CONFIG_KEY))
        .await(10, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    if (relay != null) {
      relay.close().await(10, TimeUnit.SECONDS);
    }
  }

  private Answer call(HttpMethod method, int port, String path, String bearer, String body) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
        .putHeader("Authorization", "Bearer " + bearer).putHeader("Content-Type", "application/json");
    return OnEventLoop.call(relay.vertx(), () -> http.request(options)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b)))).await(10, TimeUnit.SECONDS);
  }

  private Answer admin(HttpMethod method, String path, String body) throws Exception {
    return call(method, relay.managementPort(), path, RelayFixture.MASTER_KEY, body);
  }

  private int open(String key, String model) throws Exception {
    try {
      RecordingClient client = relay.record(relay.options(model).addHeader("Authorization", "Bearer " + key))
          .await(10, TimeUnit.SECONDS);
      client.socket().close();
      return 101;
    } catch (Exception e) {
      return relay.expectRejection(relay.options(model).addHeader("Authorization", "Bearer " + key))
          .await(10, TimeUnit.SECONDS).status();
    }
  }

  @Test
  void aGeneratedKeyAdmitsSessionsAtOnceWithItsModelsAndLimitsAndIsShownOnlyOnce() throws Exception {
    Answer made = admin(HttpMethod.POST, "/key/generate", """
        {"key_alias": "agent-7", "models": ["voice"], "max_parallel_requests": 1, "rpm_limit": 30,
         "duration": "30d", "metadata": {"owner": "ops"}}""");
    assertEquals(200, made.status(), made.body().toString());
    String key = made.json().getString("key");
    String token = made.json().getString("token");
    assertTrue(key.startsWith("sk-") && key.length() > 40, key);
    assertEquals(HexFormat.of().formatHex(KeyDigest.sha256(key)), token);
    assertEquals(30, made.json().getInteger("rpm_limit"));
    assertTrue(made.json().getString("expires").compareTo("2026") > 0, made.json().encode());

    assertEquals(101, open(key, "voice"));
    assertEquals(403, open(key, "voice-mini"), "a model the key may not use");
    RecordingClient held = relay.record(relay.options("voice").addHeader("Authorization", "Bearer " + key))
        .await(10, TimeUnit.SECONDS);
    assertEquals(429, open(key, "voice"), "max_parallel_requests 1");
    held.socket().close();

    // Afterwards the key is named by its token or alias; the key itself is in no answer.
    for (String path : new String[] {"/key/info?key=" + token, "/key/info?key=agent-7", "/key/list",
        "/key/list?return_full_object=true", "/spend/keys"}) {
      Answer read = admin(HttpMethod.GET, path, null);
      assertEquals(200, read.status(), path + ": " + read.body());
      assertFalse(read.body().toString().contains(key), path + " shows the key");
      assertTrue(read.body().toString().contains(token), path + " names the token");
    }
    JsonObject info = admin(HttpMethod.GET, "/key/info?key=" + key, null).json().getJsonObject("info");
    assertEquals("ops", info.getJsonObject("metadata").getString("owner"));
    assertEquals("api", info.getString("source"));
    JsonArray listed = admin(HttpMethod.GET, "/key/list", null).json().getJsonArray("keys");
    assertEquals(4, listed.size(), "the config's three keys and the new one: " + listed);
  }

  @Test
  void updateAndDeleteTakeEffectForTheNextSession() throws Exception {
    Answer made = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"agent-8\", \"models\": [\"voice\"]}");
    String key = made.json().getString("key");
    assertEquals(403, open(key, "voice-mini"));
    Answer updated = admin(HttpMethod.POST, "/key/update",
        "{\"key\": \"" + made.json().getString("token") + "\", \"models\": [\"voice\", \"voice-mini\"]}");
    assertEquals(200, updated.status(), updated.body().toString());
    assertEquals(101, open(key, "voice-mini"));

    Answer renamed = admin(HttpMethod.POST, "/key/update", "{\"key\": \"agent-8\", \"key_alias\": \"other\"}");
    assertEquals(400, renamed.status());
    assertTrue(renamed.message().startsWith("key_alias:"), renamed.message());

    Answer deleted = admin(HttpMethod.POST, "/key/delete", "{\"key_aliases\": [\"agent-8\"]}");
    assertEquals(200, deleted.status(), deleted.body().toString());
    assertEquals(made.json().getString("token"), deleted.json().getJsonArray("deleted_keys").getString(0));
    assertEquals(401, open(key, "voice"));
    assertEquals(404, admin(HttpMethod.POST, "/key/delete", "{\"key_aliases\": [\"agent-8\"]}").status());
  }

  @Test
  void aLiteLlmTokenBringsAKeyOverWithoutItsValue() throws Exception {
    String existing = "sk-litellm-issued-key-5e6f7a8b";
    String token = HexFormat.of().formatHex(KeyDigest.sha256(existing));
    Answer made = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"migrated\", \"key_sha256\": \""
        + token.toUpperCase() + "\"}");
    assertEquals(200, made.status(), made.body().toString());
    assertEquals(null, made.json().getString("key"), "no key to show: the relay never had it");
    assertEquals(token, made.json().getString("token"));
    assertEquals(101, open(existing, "voice"));
    assertEquals(400, admin(HttpMethod.POST, "/key/generate", "{\"key_sha256\": \"abc\"}").status());
  }

  @Test
  void theConfigsKeysAndTeamsWinAndAreNotChangedHere() throws Exception {
    Answer sameAlias = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"from-config\"}");
    assertEquals(400, sameAlias.status());
    Answer sameKey = admin(HttpMethod.POST, "/key/generate", "{\"key\": \"" + CONFIG_KEY + "\"}");
    assertEquals(400, sameKey.status());
    Answer master = admin(HttpMethod.POST, "/key/generate", "{\"key\": \"" + RelayFixture.MASTER_KEY + "\"}");
    assertEquals(400, master.status(), "the master key cannot be made a virtual key");
    Answer update = admin(HttpMethod.POST, "/key/update", "{\"key\": \"from-config\", \"rpm_limit\": 1}");
    assertEquals(400, update.status());
    assertTrue(update.message().contains("config.yaml"), update.message());
    assertEquals(400, admin(HttpMethod.POST, "/key/delete", "{\"keys\": [\"" + CONFIG_KEY + "\"]}").status());
  }

  @Test
  void teamsCarryGuardrailsToTheirKeysAndAreNotDeletedWhileTheyHaveKeys() throws Exception {
    Answer team = admin(HttpMethod.POST, "/team/new",
        "{\"team_id\": \"support\", \"team_alias\": \"Support\", \"guardrails\": [\"no-injection\"]}");
    assertEquals(200, team.status(), team.body().toString());
    assertEquals(400, admin(HttpMethod.POST, "/key/generate", "{\"team_id\": \"nobody\"}").status());
    String key = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"s1\", \"team_id\": \"support\"}")
        .json().getString("key");
    // The team's pre-call guardrail runs for the key's sessions: a blocked phrase is refused.
    RecordingClient client = relay.record(relay.options("voice").addHeader("Authorization", "Bearer " + key))
        .await(10, TimeUnit.SECONDS);
    client.socket().writeTextMessage(new JsonObject().put("type", "conversation.item.create").put("item",
        new JsonObject().put("type", "message").put("role", "user").put("content", new JsonArray().add(
            new JsonObject().put("type", "input_text").put("text", "please run the system update now")))).encode());
    assertEquals("error", client.next().json().getString("type"));
    client.socket().close();

    JsonObject info = admin(HttpMethod.GET, "/team/info?team_id=support", null).json();
    assertEquals(1, info.getJsonArray("keys").size());
    Answer refused = admin(HttpMethod.POST, "/team/delete", "{\"team_ids\": [\"support\"]}");
    assertEquals(409, refused.status());
    admin(HttpMethod.POST, "/key/delete", "{\"key_aliases\": [\"s1\"]}");
    assertEquals(200, admin(HttpMethod.POST, "/team/delete", "{\"team_ids\": [\"support\"]}").status());
    assertEquals(404, admin(HttpMethod.GET, "/team/info?team_id=support", null).status());
  }

  @Test
  void aTeamsLimitsCountAllItsKeysSessionsWhetherTheTeamIsInTheConfigOrMadeHere() throws Exception {
    Answer team = admin(HttpMethod.POST, "/team/new", "{\"team_id\": \"pair\", \"max_parallel_requests\": 1, "
        + "\"max_budget\": 20, \"budget_duration\": \"30d\"}");
    assertEquals(200, team.status(), team.body().toString());
    assertEquals(1, team.json().getInteger("max_parallel_requests"));
    assertEquals("30d", team.json().getString("budget_duration"));
    String one = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"p1\", \"team_id\": \"pair\"}")
        .json().getString("key");
    String two = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"p2\", \"team_id\": \"pair\"}")
        .json().getString("key");
    for (String[] keys : new String[][] {{one, two}, {"sk-config-team-a-0a1b2c3d4e", "sk-config-team-b-0a1b2c3d4e"}}) {
      RecordingClient held = relay.record(relay.options("voice").addHeader("Authorization", "Bearer " + keys[0]))
          .await(10, TimeUnit.SECONDS);
      RelayFixture.Rejection refused = relay.expectRejection(relay.options("voice")
          .addHeader("Authorization", "Bearer " + keys[1])).await(10, TimeUnit.SECONDS);
      assertEquals(429, refused.status());
      assertTrue(refused.message().startsWith("Team '"), refused.message());
      held.socket().close();
      RecordingClient.await(() -> {
        try {
          return open(keys[1], "voice") == 101;
        } catch (Exception e) {
          return false;
        }
      }, "the team's slot free again");
    }
    JsonArray spend = Json.decodeValue(admin(HttpMethod.GET, "/spend/teams", null).body(), JsonArray.class);
    assertEquals(2, spend.size(), spend.encode());
    JsonObject pair = spend.stream().map(JsonObject.class::cast).filter(t -> t.getString("team_id").equals("pair"))
        .findFirst().orElseThrow();
    assertEquals(0, new java.math.BigDecimal("20").compareTo(new java.math.BigDecimal(pair.getValue("max_budget")
        .toString())), pair.encode());
    assertTrue(pair.containsKey("budget_reset_at"), pair.encode());
    assertEquals(400, admin(HttpMethod.POST, "/team/update", "{\"team_id\": \"pair\", \"rpm_limit\": 0}").status());
    assertEquals(400, admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"team:x\"}").status());
  }

  @Test
  void badRequestsNameTheFieldAndOnlyAdminsOnTheManagementPortGetIn() throws Exception {
    assertEquals(401, call(HttpMethod.POST, relay.managementPort(), "/key/generate", "sk-nope", "{}").status());
    assertEquals(403, call(HttpMethod.POST, relay.managementPort(), "/key/generate", CONFIG_KEY, "{}").status());
    assertEquals(404, call(HttpMethod.POST, relay.port(), "/key/generate", RelayFixture.MASTER_KEY, "{}").status(),
        "the clients' port does not serve key management");
    Answer unknown = admin(HttpMethod.POST, "/key/generate", "{\"key_alias\": \"x\", \"user_id\": \"u\"}");
    assertEquals(400, unknown.status());
    assertTrue(unknown.message().startsWith("user_id:"), unknown.message());
    Answer period = admin(HttpMethod.POST, "/key/generate", "{\"max_budget\": 5, \"budget_duration\": \"fortnight\"}");
    assertEquals(400, period.status());
    assertTrue(period.message().contains("budget_duration"), period.message());
    Answer env = admin(HttpMethod.POST, "/key/generate", "{\"key\": \"os.environ/OPENAI_API_KEY\"}");
    assertEquals(400, env.status());
    assertEquals(400, admin(HttpMethod.POST, "/key/generate", "{not json").status());
    assertEquals(413, admin(HttpMethod.POST, "/key/generate", "{\"metadata\": {\"a\": \"" + "x".repeat(70_000)
        + "\"}}").status());
    assertEquals(404, admin(HttpMethod.GET, "/key/rotate", null).status());
    JsonArray teams = Json.decodeValue(admin(HttpMethod.GET, "/team/list", null).body(), JsonArray.class);
    assertEquals(1, teams.size(), "the config's team only: " + teams);
    assertEquals("config", teams.getJsonObject(0).getString("source"));
  }
}
