package dev.rtrelay.relay.ws;

import dev.rtrelay.relay.events.MessageAssembler;
import dev.rtrelay.relay.events.MessageType;
import dev.rtrelay.relay.events.SessionEventLog;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Watches provider messages for everyone who needs them (billing always; the event log and output guardrails when
 * configured), assembling each text message and reading its type once. Runs before the frame is forwarded, so a
 * consumer that keeps a message past this call must copy it.
 */
final class UpstreamObserver implements Handler<WebSocketFrame> {
  private final MessageAssembler assembler = new MessageAssembler();
  private final SessionEventLog eventLog;
  private final Consumer<Buffer> onResponseDone;
  private final BiConsumer<String, Buffer> guard;

  /**
   * @param eventLog null when logging is off
   * @param onResponseDone every {@code response.done} message, logged or not
   * @param guard output guardrails and turn holding, or null
   */
  UpstreamObserver(SessionEventLog eventLog, Consumer<Buffer> onResponseDone, BiConsumer<String, Buffer> guard) {
    this.eventLog = eventLog;
    this.onResponseDone = onResponseDone;
    this.guard = guard;
  }

  @Override
  public void handle(WebSocketFrame frame) {
    Buffer message = assembler.accept(frame);
    if (message == null) {
      return;
    }
    String type = MessageType.of(message);
    if (type == null) {
      return;
    }
    if (eventLog != null) {
      eventLog.onMessage(false, type, message);
    }
    if (type.equals("response.done")) {
      onResponseDone.accept(message);
    }
    if (guard != null) {
      guard.accept(type, message);
    }
  }
}
