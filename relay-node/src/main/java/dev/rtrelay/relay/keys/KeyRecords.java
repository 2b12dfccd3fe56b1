package dev.rtrelay.relay.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rtrelay.relay.config.ConfigLoader;
import dev.rtrelay.relay.config.VirtualKeyConfig;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Key changes as store records: the record key names the key ({@code key:<token>}) or team ({@code team:<id>}), the
 * value is JSON, and a removal is a tombstone (no value), so a compacted topic keeps exactly the live state. A key's
 * record holds its definition in LiteLLM's field names with {@code key_sha256}, never the key.
 */
public final class KeyRecords {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ConfigLoader LOADER = new ConfigLoader(name -> null);

  private KeyRecords() {}

  /** The record value; null for a removal (a tombstone). */
  public static byte[] encode(KeyChange change) {
    ObjectNode value = JSON.createObjectNode();
    if (change instanceof KeyChange.PutKey put) {
      value.put("kind", "key").put("token", put.key().token()).set("definition", put.key().definition());
      value.put("created_at", put.key().createdAt().toString()).put("updated_at", put.key().updatedAt().toString());
    } else if (change instanceof KeyChange.PutTeam put) {
      RuntimeTeam team = put.team();
      value.put("kind", "team").put("team_id", team.teamId());
      team.alias().ifPresent(a -> value.put("team_alias", a));
      team.guardrails().forEach(value.putArray("guardrails")::add);
      KeyManagementApi.quota(value, team.quota());
      ObjectNode metadata = value.putObject("metadata");
      team.metadata().forEach(metadata::put);
      value.put("created_at", team.createdAt().toString());
    } else {
      return null;
    }
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The change a record stands for.
   *
   * @throws IllegalArgumentException for a record this version cannot read (skipped by the store, with a log line)
   */
  public static KeyChange decode(String recordKey, byte[] value) {
    if (recordKey == null) {
      throw new IllegalArgumentException("record without a key");
    }
    boolean key = recordKey.startsWith("key:");
    if (!key && !recordKey.startsWith("team:")) {
      throw new IllegalArgumentException("unknown record key kind");
    }
    String id = recordKey.substring(recordKey.indexOf(':') + 1);
    if (value == null) {
      return key ? new KeyChange.RemoveKey(id) : new KeyChange.RemoveTeam(id);
    }
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("value is not JSON");
    }
    if (key) {
      ObjectNode definition = (ObjectNode) node.path("definition");
      // Guardrails named by the key are read as they are: one the config has since dropped must not lose the key.
      VirtualKeyConfig config = LOADER.virtualKey(definition, "stored key " + id.substring(0, Math.min(12,
          id.length())), referencedGuardrails(definition), Map.of());
      return new KeyChange.PutKey(new StoredKey(id, definition, config, Instant.parse(node.path("created_at")
          .asText()), Instant.parse(node.path("updated_at").asText())));
    }
    List<String> guardrails = new ArrayList<>();
    node.path("guardrails").forEach(g -> guardrails.add(g.asText()));
    Map<String, String> metadata = new LinkedHashMap<>();
    node.path("metadata").fields().forEachRemaining(f -> metadata.put(f.getKey(), f.getValue().asText()));
    return new KeyChange.PutTeam(new RuntimeTeam(id, node.hasNonNull("team_alias")
        ? Optional.of(node.get("team_alias").asText()) : Optional.empty(), List.copyOf(guardrails),
        LOADER.quota(node, "stored team " + id), Map.copyOf(metadata), Instant.parse(node.path("created_at").asText())));
  }

  private static Set<String> referencedGuardrails(JsonNode definition) {
    Set<String> names = new HashSet<>();
    definition.path("guardrails").forEach(g -> names.add(g.asText()));
    definition.path("metadata").path("guardrails").forEach(g -> names.add(g.asText()));
    return names;
  }
}
