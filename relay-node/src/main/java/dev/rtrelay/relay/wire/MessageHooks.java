package dev.rtrelay.relay.wire;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * What a session wants to see of one direction's text messages. The forwarder reads each text message's
 * {@code type} from its first bytes and asks {@link #interest}: most messages are of no interest and are never
 * copied; observed ones are assembled (unmasked) and handed over whole, still forwarded verbatim as they pass; held
 * ones are kept back until {@link #check} says what to forward instead.
 */
public interface MessageHooks {
  int NONE = 0;
  int OBSERVE = 1;
  int HOLD = 2;

  /** What to do with a text message of {@code type}, or of a type its first bytes do not tell (null). */
  int interest(String type);

  /**
   * Whether {@link #interest} can ever answer {@link #HOLD}. Then a message whose type is not known yet (its first
   * bytes are split across reads) is kept back until it is, since a held message must not leak out in part.
   */
  boolean mayHold();

  /**
   * A whole observed message, on its way out. When its first bytes did not name its type, a full parse did (still
   * null when the message is not a JSON object with a string {@code type}).
   */
  void message(String type, Buffer message);

  /** A whole held message: completes with the text to forward in its place, or fails to refuse it. */
  Future<String> check(String type, Buffer message);
}
