package dev.rtrelay.relay.upstream.bedrock;

import dev.rtrelay.relay.config.DeploymentConfig;
import dev.rtrelay.relay.upstream.FailureText;
import dev.rtrelay.relay.upstream.ProviderLink;
import dev.rtrelay.relay.upstream.UpstreamRefused;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.bedrockruntime.model.AccessDeniedException;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithBidirectionalStreamOutput;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithBidirectionalStreamRequest;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithBidirectionalStreamResponse;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithBidirectionalStreamResponseHandler;
import software.amazon.awssdk.services.bedrockruntime.model.ModelTimeoutException;
import software.amazon.awssdk.services.bedrockruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.bedrockruntime.model.ThrottlingException;
import software.amazon.awssdk.services.bedrockruntime.model.ValidationException;

/**
 * A provider link over Bedrock's {@code InvokeModelWithBidirectionalStream}: each Nova event is one JSON message.
 * The SDK calls back on its own threads; every callback hops to the session's Vert.x context, and output is
 * requested one event at a time from there, so a paused link stops reading from Bedrock (HTTP/2 flow control then
 * pushes back) and a full input queue pauses the client.
 *
 * <p>How a stream ends becomes a WebSocket-style close code for the translator: validation errors 1007, access
 * denied 1008, throttling and unavailability 1013, a model timeout 1001, other service errors 1011, and a dropped
 * connection or a stream the provider just ended 1006.
 */
public final class BedrockLink implements ProviderLink {
  private static final Logger LOG = LoggerFactory.getLogger(BedrockLink.class);
  /** Events queued toward Bedrock before the client is paused: audio arrives in ~20-40 ms chunks. */
  private static final int INPUT_LIMIT = 256;
  /** How long a closing link waits for Bedrock to end the stream after the input ended, before resetting it. */
  private static final long CLOSE_GRACE_MILLIS = 2_000;

  private final Vertx vertx;
  private final Context context;
  private final InputPublisher input = new InputPublisher(INPUT_LIMIT);
  private final Promise<ProviderLink> established = Promise.promise();
  private final AtomicBoolean terminated = new AtomicBoolean();
  private final ArrayDeque<JsonObject> early = new ArrayDeque<>();
  private CompletableFuture<Void> call;
  private Subscription output;
  private Handler<JsonObject> messages;
  private Handler<Closed> closedHandler;
  private Closed ended;
  private boolean paused;
  private boolean owed;
  private boolean closing;

  private BedrockLink(Vertx vertx, Context context) {
    this.vertx = vertx;
    this.context = context;
  }

  /**
   * Opens a stream to the deployment's model. It counts as established when Bedrock answers with its response
   * headers, or, if it has not refused the stream within {@code headersWaitMillis}, then (a service may hold its
   * headers until the first event, which the session only sends once the client has configured it).
   */
  public static Future<ProviderLink> open(Vertx vertx, BedrockClients clients, DeploymentConfig d,
      long headersWaitMillis) {
    BedrockLink link = new BedrockLink(vertx, vertx.getOrCreateContext());
    InvokeModelWithBidirectionalStreamRequest request = InvokeModelWithBidirectionalStreamRequest.builder()
        .modelId(d.providerModel()).build();
    // Building a client and resolving credentials may read files or call STS: a worker thread does it.
    return vertx.executeBlocking(() -> clients.client(d)
            .invokeModelWithBidirectionalStream(request, link.input, link.handler()), false)
        .compose(call -> {
          link.call = call;
          clients.track(call);
          long timer = vertx.setTimer(Math.max(1, headersWaitMillis), id -> link.established.tryComplete(link));
          return link.established.future().onComplete(ar -> vertx.cancelTimer(timer));
        });
  }

  private InvokeModelWithBidirectionalStreamResponseHandler handler() {
    InvokeModelWithBidirectionalStreamResponseHandler.Visitor visitor =
        InvokeModelWithBidirectionalStreamResponseHandler.Visitor.builder()
            .onChunk(chunk -> {
              String json = chunk.bytes().asUtf8String();
              context.runOnContext(v -> deliver(json));
            })
            .onDefault(other -> context.runOnContext(v -> requestNext()))
            .build();
    return new InvokeModelWithBidirectionalStreamResponseHandler() {
      @Override
      public void responseReceived(InvokeModelWithBidirectionalStreamResponse response) {
        context.runOnContext(v -> established.tryComplete(BedrockLink.this));
      }

      @Override
      public void onEventStream(SdkPublisher<InvokeModelWithBidirectionalStreamOutput> events) {
        events.subscribe(new Subscriber<InvokeModelWithBidirectionalStreamOutput>() {
          @Override
          public void onSubscribe(Subscription s) {
            context.runOnContext(v -> {
              output = s;
              requestNext();
            });
          }

          @Override
          public void onNext(InvokeModelWithBidirectionalStreamOutput event) {
            event.accept(visitor);
          }

          @Override
          public void onError(Throwable t) {
            // Reported once, through exceptionOccurred.
          }

          @Override
          public void onComplete() {
            // Reported once, through complete.
          }
        });
      }

      @Override
      public void exceptionOccurred(Throwable t) {
        // The SDK may report a failure twice and then complete(): only the first word counts.
        if (terminated.compareAndSet(false, true)) {
          Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
          context.runOnContext(v -> streamEnded(cause));
        }
      }

      @Override
      public void complete() {
        if (terminated.compareAndSet(false, true)) {
          context.runOnContext(v -> streamEnded(null));
        }
      }
    };
  }

  private void deliver(String json) {
    JsonObject event;
    try {
      event = new JsonObject(json);
    } catch (RuntimeException notJson) {
      LOG.debug("Bedrock sent an event that is not a JSON object; ignored");
      requestNext();
      return;
    }
    try {
      if (messages == null) {
        early.add(event);
      } else if (ended == null) {
        messages.handle(event);
      }
    } finally {
      // Whatever the session made of it, the stream must keep flowing (or it would stall, open, for ever).
      requestNext();
    }
  }

  /** One event at a time, and none while paused: Bedrock's output waits in HTTP/2 flow control meanwhile. */
  private void requestNext() {
    if (output == null) {
      return;
    }
    if (paused) {
      owed = true;
    } else {
      owed = false;
      output.request(1);
    }
  }

  private void streamEnded(Throwable failure) {
    if (!established.future().isComplete()) {
      established.tryFail(refusal(failure));
      return;
    }
    ended = failure == null ? new Closed(closing ? (short) 1000 : (short) 1006, closing ? "closed" : "stream ended")
        : closeFor(failure);
    if (failure != null && !closing) {
      LOG.info("Bedrock stream ended: {}", FailureText.describe(failure));
    }
    if (closedHandler != null) {
      closedHandler.handle(ended);
    }
  }

  /** A stream that failed before it was established: counted like a refused handshake, for failover. */
  private static Throwable refusal(Throwable failure) {
    if (failure instanceof AwsServiceException e) {
      String code = e.awsErrorDetails() == null ? e.getClass().getSimpleName() : e.awsErrorDetails().errorCode();
      return new UpstreamRefused(e.statusCode(), "HTTP " + e.statusCode() + " (" + code + ")");
    }
    return failure == null ? new IllegalStateException("Bedrock ended the stream before answering") : failure;
  }

  /**
   * The close the client will see. Only AWS's error code goes there: its message can name the account, role and
   * resource (the full message is in the relay's log).
   */
  private static Closed closeFor(Throwable failure) {
    String reason = failure instanceof AwsServiceException e && e.awsErrorDetails() != null
        ? e.awsErrorDetails().errorCode() : failure.getClass().getSimpleName();
    Short code;
    if (failure instanceof ValidationException) {
      code = 1007;
    } else if (failure instanceof AccessDeniedException) {
      code = 1008;
    } else if (failure instanceof ThrottlingException || failure instanceof ServiceUnavailableException) {
      code = 1013;
    } else if (failure instanceof ModelTimeoutException) {
      code = 1001;
    } else if (failure instanceof AwsServiceException) {
      code = 1011;
    } else {
      // The connection dropped: like a WebSocket closed without a close frame.
      code = 1006;
    }
    return new Closed(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
  }

  @Override
  public void start(Handler<JsonObject> messages, Handler<Closed> closed) {
    this.messages = messages;
    this.closedHandler = closed;
    while (!early.isEmpty() && ended == null) {
      messages.handle(early.poll());
    }
    if (ended != null) {
      closed.handle(ended);
    }
  }

  @Override
  public void send(String json) {
    if (!closing && ended == null) {
      input.offer(json);
    }
  }

  @Override
  public void setWriteQueueMaxBytes(int bytes) {
    // Bounded by events, not bytes: see INPUT_LIMIT.
  }

  @Override
  public boolean writeQueueFull() {
    return input.full();
  }

  @Override
  public void drainHandler(Handler<Void> handler) {
    input.drainHandler(handler == null ? null : () -> context.runOnContext(v -> handler.handle(null)));
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void resume() {
    paused = false;
    if (owed) {
      requestNext();
    }
  }

  @Override
  public void ping() {
    // HTTP/2 and Nova have their own liveness; nothing to add.
  }

  @Override
  public boolean isClosed() {
    return closing || ended != null;
  }

  /** Ends the request body (Bedrock then ends the stream); resets the stream if Bedrock does not within a grace. */
  @Override
  public void close(short code, String reason) {
    if (closing || ended != null) {
      return;
    }
    closing = true;
    input.complete();
    vertx.setTimer(CLOSE_GRACE_MILLIS, id -> {
      if (ended == null && call != null) {
        call.cancel(true);
      }
    });
  }
}
