package dev.rtrelay.relay.simulated;

import io.vertx.core.MultiMap;

import java.util.Locale;

/**
 * The two event vocabularies of the Realtime API. Clients pick one per connection, so every name that differs
 * between them is looked up here instead of being spelled inline.
 */
enum ProtocolFlavour {
  GA("response.output_text.delta", "response.output_text.done",
      "response.output_audio.delta", "response.output_audio.done",
      "response.output_audio_transcript.delta", "response.output_audio_transcript.done",
      "output_modalities", "output_text", "output_audio"),
  BETA("response.text.delta", "response.text.done",
      "response.audio.delta", "response.audio.done",
      "response.audio_transcript.delta", "response.audio_transcript.done",
      "modalities", "text", "audio");

  final String textDelta;
  final String textDone;
  final String audioDelta;
  final String audioDone;
  final String transcriptDelta;
  final String transcriptDone;
  /** Session/response field listing the output modalities. */
  final String modalitiesKey;
  /** Content part type of assistant text. */
  final String textPartType;
  /** Content part type of assistant audio. */
  final String audioPartType;

  ProtocolFlavour(String textDelta, String textDone, String audioDelta, String audioDone,
                  String transcriptDelta, String transcriptDone, String modalitiesKey,
                  String textPartType, String audioPartType) {
    this.textDelta = textDelta;
    this.textDone = textDone;
    this.audioDelta = audioDelta;
    this.audioDone = audioDone;
    this.transcriptDelta = transcriptDelta;
    this.transcriptDone = transcriptDone;
    this.modalitiesKey = modalitiesKey;
    this.textPartType = textPartType;
    this.audioPartType = audioPartType;
  }

  /** The modalities field of the other flavour, accepted too because clients mix them up. */
  String otherModalitiesKey() {
    return this == GA ? BETA.modalitiesKey : GA.modalitiesKey;
  }

  /**
   * Server-side SDKs announce beta with the {@code OpenAI-Beta} header; browsers cannot set headers and use the
   * {@code openai-beta.realtime-v1} subprotocol instead, so both count.
   */
  static ProtocolFlavour fromHandshake(MultiMap headers) {
    for (String value : headers.getAll("OpenAI-Beta")) {
      if (value.toLowerCase(Locale.ROOT).contains("realtime=v1")) {
        return BETA;
      }
    }
    for (String value : headers.getAll("Sec-WebSocket-Protocol")) {
      for (String offered : value.split(",")) {
        if (offered.trim().equalsIgnoreCase("openai-beta.realtime-v1")) {
          return BETA;
        }
      }
    }
    return GA;
  }
}
