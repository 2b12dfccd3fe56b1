package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.http.RelayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/** Reads a request body with an upper bound, refusing larger ones with 413 instead of buffering them. */
final class RequestBody {
  static final int MAX_BYTES = 1 << 20;

  private RequestBody() {}

  static Future<Buffer> read(HttpServerRequest request) {
    Promise<Buffer> body = Promise.promise();
    Buffer collected = Buffer.buffer();
    request.handler(chunk -> {
      if (collected.length() + chunk.length() > MAX_BYTES) {
        request.pause();
        body.tryFail(new RelayException(413, "invalid_request_error",
            "Request body larger than " + MAX_BYTES + " bytes"));
        return;
      }
      collected.appendBuffer(chunk);
    });
    request.exceptionHandler(body::tryFail);
    request.endHandler(v -> body.tryComplete(collected));
    request.resume();
    return body.future();
  }
}
