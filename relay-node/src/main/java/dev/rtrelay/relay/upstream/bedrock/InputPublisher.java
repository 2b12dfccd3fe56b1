package dev.rtrelay.relay.upstream.bedrock;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.bedrockruntime.model.InvokeModelWithBidirectionalStreamInput;

/**
 * The events a session sends Bedrock, as the single-subscriber reactive-streams publisher the SDK reads its request
 * body from. Like a Vert.x write queue it never refuses an event: {@link #full()} says when the queue is over its
 * limit (the session then stops reading its client) and the drain handler says when it has room again, so memory
 * stays bounded by backpressure, not by dropping. Signals to the SDK are serialised by a work-in-progress counter;
 * the SDK's {@code request(n)} arrives on its own threads.
 */
final class InputPublisher implements Publisher<InvokeModelWithBidirectionalStreamInput> {
  private final int limit;
  private final Object lock = new Object();
  private final ArrayDeque<InvokeModelWithBidirectionalStreamInput> queue = new ArrayDeque<>();
  private final AtomicInteger wip = new AtomicInteger();
  private final AtomicReference<Subscriber<? super InvokeModelWithBidirectionalStreamInput>> subscriber =
      new AtomicReference<>();
  // Guarded by lock.
  private long demand;
  private boolean done;
  private boolean wasFull;
  private Runnable drainHandler;
  private volatile boolean subscribed;
  private volatile boolean cancelled;
  private boolean terminated;

  /** @param limit queued events above which {@link #full()} is true */
  InputPublisher(int limit) {
    this.limit = limit;
  }

  /** Queues one Nova event (its JSON); false only once the stream is over. */
  boolean offer(String json) {
    InvokeModelWithBidirectionalStreamInput item = InvokeModelWithBidirectionalStreamInput.chunkBuilder()
        .bytes(SdkBytes.fromUtf8String(json)).build();
    synchronized (lock) {
      if (done || cancelled) {
        return false;
      }
      queue.add(item);
      if (queue.size() >= limit) {
        wasFull = true;
      }
    }
    drain();
    return true;
  }

  boolean full() {
    synchronized (lock) {
      return queue.size() >= limit;
    }
  }

  /** Runs (on an SDK thread) when a queue that was full is down to half its limit. */
  void drainHandler(Runnable handler) {
    synchronized (lock) {
      drainHandler = handler;
    }
  }

  /** Ends the request body after the queued events: the SDK sends its final empty signed frame. */
  void complete() {
    synchronized (lock) {
      if (done) {
        return;
      }
      done = true;
    }
    drain();
  }

  @Override
  public void subscribe(Subscriber<? super InvokeModelWithBidirectionalStreamInput> s) {
    if (!subscriber.compareAndSet(null, s)) {
      // An SDK retry would resubscribe after the first events were consumed: refuse rather than resend half a session.
      s.onSubscribe(new Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      });
      s.onError(new IllegalStateException("a Bedrock session's events can be sent only once"));
      return;
    }
    s.onSubscribe(new Subscription() {
      @Override
      public void request(long n) {
        synchronized (lock) {
          demand = n <= 0 || demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        drain();
      }

      @Override
      public void cancel() {
        cancelled = true;
        synchronized (lock) {
          queue.clear();
        }
      }
    });
    subscribed = true;
    drain();
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Subscriber<? super InvokeModelWithBidirectionalStreamInput> s = subscriber.get();
      if (s != null && subscribed) {
        emit(s);
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void emit(Subscriber<? super InvokeModelWithBidirectionalStreamInput> s) {
    while (!cancelled && !terminated) {
      InvokeModelWithBidirectionalStreamInput item = null;
      boolean finish = false;
      Runnable drained = null;
      synchronized (lock) {
        if (!queue.isEmpty() && demand > 0) {
          item = queue.poll();
          if (demand != Long.MAX_VALUE) {
            demand--;
          }
          if (wasFull && queue.size() <= limit / 2) {
            wasFull = false;
            drained = drainHandler;
          }
        } else if (queue.isEmpty() && done) {
          finish = true;
        }
      }
      if (item != null) {
        s.onNext(item);
        if (drained != null) {
          drained.run();
        }
      } else if (finish) {
        terminated = true;
        s.onComplete();
      } else {
        return;
      }
    }
  }
}
