package dev.rtrelay.relay.guardrails;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * during_call and post_call guardrails on what the provider sends: the user's transcribed speech
 * ({@code conversation.item.input_audio_transcription.completed}) and each completed output part (output text and
 * audio transcripts, GA and beta names). These are checked as they pass, without holding them: audio that was already
 * played cannot be taken back, so a block ends the session rather than unsaying anything, and a rewrite cannot apply.
 */
public final class OutputCheck {
  /** Event type to the mode that checks it and the field holding its text. */
  private static final Map<String, Map.Entry<GuardrailMode, String>> CHECKED = Map.of(
      "conversation.item.input_audio_transcription.completed", Map.entry(GuardrailMode.DURING_CALL, "transcript"),
      "response.output_text.done", Map.entry(GuardrailMode.POST_CALL, "text"),
      "response.text.done", Map.entry(GuardrailMode.POST_CALL, "text"),
      "response.output_audio_transcript.done", Map.entry(GuardrailMode.POST_CALL, "transcript"),
      "response.audio_transcript.done", Map.entry(GuardrailMode.POST_CALL, "transcript"));

  private final List<Guardrail> guardrails;
  private final CheckContext context;
  private final GuardrailStats stats;
  private final Consumer<GuardrailBlocked> onBlock;
  private final Runnable onTranscriptPassed;

  /**
   * @param onTranscriptPassed strict during_call: run once a non-empty transcript passed every during_call guardrail
   *     (the session then asks the model to answer); null when responses are not held
   */
  public OutputCheck(List<Guardrail> guardrails, CheckContext context, GuardrailStats stats,
      Consumer<GuardrailBlocked> onBlock, Runnable onTranscriptPassed) {
    this.guardrails = guardrails;
    this.context = context;
    this.stats = stats;
    this.onBlock = onBlock;
    this.onTranscriptPassed = onTranscriptPassed;
  }

  /** Whether this session has any guardrail for a type; used to skip everything else cheaply. */
  public boolean wants(String type) {
    Map.Entry<GuardrailMode, String> checked = CHECKED.get(type);
    return checked != null && guardrails.stream().anyMatch(g -> g.modes().contains(checked.getKey()));
  }

  /** Checks one complete message of a wanted type; the message was copied, since the frame moves on. */
  public void check(String type, Buffer message) {
    Map.Entry<GuardrailMode, String> checked = CHECKED.get(type);
    String text;
    try {
      text = new JsonObject(message).getString(checked.getValue());
    } catch (RuntimeException notUsable) {
      return;
    }
    if (text == null || text.isEmpty()) {
      return;
    }
    CheckContext ctx = context.withMode(checked.getKey());
    List<io.vertx.core.Future<Boolean>> passed = new java.util.ArrayList<>();
    for (Guardrail g : guardrails) {
      if (!g.modes().contains(checked.getKey())) {
        continue;
      }
      passed.add(stats.timed(g, text, ctx).map(verdict -> {
        if (verdict.kind() == Verdict.Kind.BLOCK) {
          onBlock.accept(new GuardrailBlocked(g.name(), checked.getKey(), verdict.reason(), verdict.category()));
          return false;
        }
        return true;
      }));
    }
    if (onTranscriptPassed != null && checked.getKey() == GuardrailMode.DURING_CALL) {
      io.vertx.core.Future.all(passed).onSuccess(all -> {
        if (passed.stream().allMatch(io.vertx.core.Future::result)) {
          onTranscriptPassed.run();
        }
      });
    }
  }
}
