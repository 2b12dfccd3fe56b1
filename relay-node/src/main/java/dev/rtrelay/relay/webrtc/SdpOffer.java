package dev.rtrelay.relay.webrtc;

import dev.rtrelay.relay.http.RelayException;
import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Optional;
import java.util.UUID;

/**
 * A client's SDP offer, with the optional session config the SDKs send alongside it. Raw SDP bodies are forwarded
 * byte for byte; multipart bodies are re-encoded, because the session part names the model alias, which the provider
 * does not know.
 */
final class SdpOffer {
  private final Buffer sdp;
  private final Optional<JsonObject> session;
  private final boolean multipart;

  private SdpOffer(Buffer sdp, Optional<JsonObject> session, boolean multipart) {
    this.sdp = sdp;
    this.session = session;
    this.multipart = multipart;
  }

  static SdpOffer raw(Buffer body) {
    if (body.length() == 0) {
      throw RelayException.badRequest("Empty SDP offer");
    }
    return new SdpOffer(body, Optional.empty(), false);
  }

  /** Collects the {@code sdp} and {@code session} parts, sent as plain fields or as (filename-less) file parts. */
  static Future<SdpOffer> fromMultipart(HttpServerRequest request) {
    Promise<SdpOffer> result = Promise.promise();
    Buffer[] parts = new Buffer[2];
    long[] size = new long[1];
    request.setExpectMultipart(true);
    request.uploadHandler(upload -> {
      int index = switch (upload.name()) {
        case "sdp" -> 0;
        case "session" -> 1;
        default -> -1;
      };
      Buffer content = Buffer.buffer();
      upload.handler(chunk -> {
        size[0] += chunk.length();
        if (size[0] > RequestBody.MAX_BYTES) {
          result.tryFail(new RelayException(413, "invalid_request_error",
              "Multipart body larger than " + RequestBody.MAX_BYTES + " bytes"));
        } else if (index >= 0) {
          content.appendBuffer(chunk);
        }
      });
      upload.endHandler(v -> {
        if (index >= 0) {
          parts[index] = content;
        }
      });
    });
    request.exceptionHandler(e -> result.tryFail(refusal(e)));
    request.endHandler(v -> {
      try {
        String sdpField = request.getFormAttribute("sdp");
        String sessionField = request.getFormAttribute("session");
        Buffer sdp = parts[0] != null ? parts[0] : sdpField == null ? null : Buffer.buffer(sdpField);
        Buffer session = parts[1] != null ? parts[1] : sessionField == null ? null : Buffer.buffer(sessionField);
        if (sdp == null || sdp.length() == 0) {
          throw RelayException.badRequest("Multipart body has no 'sdp' part");
        }
        Optional<JsonObject> sessionJson = Optional.empty();
        if (session != null && session.length() > 0) {
          try {
            sessionJson = Optional.of(new JsonObject(session));
          } catch (RuntimeException e) {
            throw RelayException.badRequest("The 'session' part must be a JSON object");
          }
        }
        result.tryComplete(new SdpOffer(sdp, sessionJson, true));
      } catch (RelayException e) {
        result.tryFail(e);
      }
    });
    request.resume();
    return result.future();
  }

  /**
   * What a client gets when Netty's multipart decoder gives up: a part over the form limits is 413 (Netty reports it
   * as too long or too many fields, or as a decoder error caused by an {@code IOException}, which its size checks are
   * the only source of); any other decoder error is a malformed body, 400. Neither is the provider's doing.
   */
  private static Throwable refusal(Throwable e) {
    boolean tooLarge = e instanceof HttpPostRequestDecoder.TooLongFormFieldException
        || e instanceof HttpPostRequestDecoder.TooManyFormFieldsException
        || e instanceof HttpPostRequestDecoder.ErrorDataDecoderException && e.getCause() instanceof IOException;
    if (tooLarge) {
      return new RelayException(413, "invalid_request_error",
          "Multipart body too large: each part may have at most " + RequestBody.MAX_BYTES + " bytes");
    }
    if (e instanceof HttpPostRequestDecoder.ErrorDataDecoderException) {
      return RelayException.badRequest("Malformed multipart body");
    }
    return e;
  }

  record Encoded(String contentType, Buffer body) {}

  /** The body for the provider; a session's model (the alias) becomes the deployment's model. */
  Encoded encode(String providerModel) {
    if (!multipart) {
      return new Encoded("application/sdp", sdp);
    }
    String boundary = "rtrelay-" + UUID.randomUUID();
    Buffer body = Buffer.buffer(sdp.length() + 512);
    part(body, boundary, "sdp", "application/sdp", sdp);
    session.ifPresent(s -> {
      JsonObject copy = s.copy();
      if (copy.containsKey("model")) {
        copy.put("model", providerModel);
      }
      part(body, boundary, "session", "application/json", copy.toBuffer());
    });
    body.appendString("--" + boundary + "--\r\n");
    return new Encoded("multipart/form-data; boundary=" + boundary, body);
  }

  private static void part(Buffer body, String boundary, String name, String contentType, Buffer content) {
    body.appendString("--" + boundary + "\r\n")
        .appendString("Content-Disposition: form-data; name=\"" + name + "\"\r\n")
        .appendString("Content-Type: " + contentType + "\r\n\r\n")
        .appendBuffer(content)
        .appendString("\r\n");
  }
}
