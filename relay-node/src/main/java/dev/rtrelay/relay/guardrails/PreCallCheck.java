package dev.rtrelay.relay.guardrails;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * pre_call guardrails on the client's text before it reaches the model: {@code session.update} instructions,
 * {@code conversation.item.create} input_text parts and {@code response.create} instructions (the same in GA and beta).
 * Only messages of those types are parsed; everything else passes untouched.
 */
public final class PreCallCheck implements ClientGate {
  public static final Set<String> CHECKED_TYPES =
      Set.of("session.update", "conversation.item.create", "response.create");

  private final List<Guardrail> guardrails;
  private final CheckContext context;
  private final GuardrailStats stats;

  public PreCallCheck(List<Guardrail> guardrails, CheckContext context, GuardrailStats stats) {
    this.guardrails = guardrails;
    this.context = context.withMode(GuardrailMode.PRE_CALL);
    this.stats = stats;
  }

  @Override
  public boolean wants(String type) {
    return CHECKED_TYPES.contains(type);
  }

  /**
   * Completes with the message to forward: the original text when nothing changed, else the rewritten JSON. Fails
   * with {@link GuardrailBlocked} when a guardrail blocks.
   */
  @Override
  public Future<String> check(String message) {
    JsonObject event;
    try {
      event = new JsonObject(message);
    } catch (RuntimeException notJson) {
      // Not JSON: the provider will reject it; there is no text to check.
      return Future.succeededFuture(message);
    }
    List<TextSlot> slots = slots(event);
    if (slots.isEmpty()) {
      return Future.succeededFuture(message);
    }
    boolean[] changed = {false};
    Future<Void> chain = Future.succeededFuture();
    for (TextSlot slot : slots) {
      for (Guardrail g : guardrails) {
        chain = chain.compose(v -> stats.timed(g, slot.get.get(), context).compose(verdict -> switch (verdict.kind()) {
          case ALLOW -> Future.succeededFuture();
          case REWRITE -> {
            slot.set.accept(verdict.text());
            changed[0] = true;
            yield Future.succeededFuture();
          }
          case BLOCK -> Future.failedFuture(new GuardrailBlocked(g.name(), GuardrailMode.PRE_CALL, verdict.reason(),
              verdict.category()));
        }));
      }
    }
    return chain.map(v -> changed[0] ? event.encode() : message);
  }

  /** A string field of the event that guardrails read and may rewrite. */
  private record TextSlot(Supplier<String> get, Consumer<String> set) {}

  private static List<TextSlot> slots(JsonObject event) {
    List<TextSlot> slots = new ArrayList<>();
    switch (String.valueOf(event.getValue("type"))) {
      case "session.update" -> field(event.getValue("session"), "instructions", slots);
      case "response.create" -> field(event.getValue("response"), "instructions", slots);
      case "conversation.item.create" -> {
        if (event.getValue("item") instanceof JsonObject item && item.getValue("content") instanceof JsonArray parts) {
          for (Object part : parts) {
            if (part instanceof JsonObject p && "input_text".equals(p.getValue("type"))) {
              field(p, "text", slots);
            }
          }
        }
      }
      default -> { }
    }
    return slots;
  }

  private static void field(Object holder, String name, List<TextSlot> slots) {
    if (holder instanceof JsonObject o && o.getValue(name) instanceof String) {
      slots.add(new TextSlot(() -> o.getString(name), v -> o.put(name, v)));
    }
  }
}
