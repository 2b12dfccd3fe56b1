package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonObject;

/**
 * Speaks OpenAI Realtime to the client and another realtime protocol to the provider. One instance per session, used
 * from the session's event loop only. Passthrough providers (OpenAI, Azure, xAI) never go through a translator.
 */
public interface Translator {
  /** Where translated messages go. */
  interface Output {
    void toClient(JsonObject event);

    void toUpstream(JsonObject message);

    /**
     * The provider announced it will close the connection soon (e.g. Gemini's {@code goAway} at its connection time
     * limit): when it does, the client is closed with 1001 so SDKs reconnect, instead of seeing a failure.
     */
    void upstreamClosingSoon(String why);
  }

  /** The upstream socket is open; events the client expects first (e.g. {@code session.created}) go out now. */
  void start(Output out);

  /** One client event (OpenAI Realtime). */
  void fromClient(JsonObject event, Output out);

  /** One provider message. */
  void fromUpstream(JsonObject message, Output out);
}
