package dev.rtrelay.relay.translate;

import io.vertx.core.json.JsonObject;

/**
 * Speaks OpenAI Realtime to the client and another realtime protocol to the provider. One instance per session, used
 * from the session's event loop only. Passthrough providers (OpenAI, Azure, xAI) never go through a translator.
 */
public interface Translator {
  /** Where translated messages go, and what the translator may ask of the session. */
  interface Output {
    void toClient(JsonObject event);

    void toUpstream(JsonObject message);

    /** A client event already encoded (hot paths write audio deltas as text); {@code type} is its type. */
    void toClientEncoded(String type, String json);

    /** A provider message already encoded. */
    void toUpstreamEncoded(String json);

    /**
     * Stops (true) or resumes (false) reading client messages, e.g. while the provider is not ready for them; held
     * messages wait in TCP, so holding is bounded and loses nothing.
     */
    void holdClient(boolean hold);

    /**
     * Asks for a fresh connection to the same deployment (e.g. ahead of a provider's connection time limit): the
     * session closes the current one, opens another and calls {@link #upstreamRenewed}; if it cannot, it ends the
     * session asking the client to reconnect (1001).
     */
    void renewUpstream(String why);
  }

  /** What the session does when the provider connection ends without the relay or the client closing it. */
  enum AfterLoss {
    /** Open a fresh connection and carry on: the client does not notice. */
    RENEW,
    /** Close the client with 1001 ("going away") so SDKs reconnect, instead of reporting a failure. */
    ASK_CLIENT_TO_RECONNECT,
    /** Pass the provider's close on to the client. */
    END
  }

  /** The provider link is open; events the client expects first (e.g. {@code session.created}) go out now. */
  void start(Output out);

  /** One client event (OpenAI Realtime). */
  void fromClient(JsonObject event, Output out);

  /**
   * One {@code input_audio_buffer.append}, its audio read without parsing the whole event (audio arrives every
   * 20-40 ms). By default it takes the general path.
   */
  default void appendAudio(String base64, Output out) {
    fromClient(new JsonObject().put("type", "input_audio_buffer.append").put("audio", base64), out);
  }

  /** One provider message. */
  void fromUpstream(JsonObject message, Output out);

  /** The provider connection ended unasked, with this close code (null when it just dropped) and reason. */
  AfterLoss upstreamLost(Short code, String reason, Output out);

  /** A fresh provider connection is open: send what it needs to continue the session (e.g. a resuming setup). */
  void upstreamRenewed(Output out);

  /**
   * Usage the provider reported after the last {@code response.done} (OpenAI shape), or null: asked once as the
   * session ends, so it is billed too and the session's usage adds up to the provider's to the last token.
   */
  default JsonObject unbilledUsage() {
    return null;
  }
}
