package dev.rtrelay.relay.support;

import dev.rtrelay.relay.wire.RawFrames;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket client on a plain blocking socket that writes whatever bytes it is given: for the frames no client
 * library would send (unmasked, reserved bits, oversized, invalid UTF-8) and for reading the relay's answer frame by
 * frame, close frames included.
 */
public final class RawClient implements AutoCloseable {
  /** A frame as read: its opcode, FIN bit and (unmasked) payload. */
  public record Frame(int opcode, boolean fin, byte[] payload) {
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    public String text() {
      return new String(payload, opcode == 8 && payload.length >= 2 ? 2 : 0,
          opcode == 8 && payload.length >= 2 ? payload.length - 2 : payload.length, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final String responseHead;

  private RawClient(Socket socket, String responseHead) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.responseHead = responseHead;
  }

  /** Sends an upgrade request with these extra header lines (each ending in CRLF) and reads the response head. */
  public static RawClient connect(int port, String path, String extraHeaders) throws IOException {
    return connect(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(new byte[16]) + "\r\n"
        + extraHeaders + "\r\n");
  }

  /** Sends {@code request} as it is and reads the response head. */
  public static RawClient connect(int port, String request) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        break;
      }
    }
    return new RawClient(socket, head.toString(StandardCharsets.ISO_8859_1));
  }

  public String responseHead() {
    return responseHead;
  }

  public int status() {
    return Integer.parseInt(responseHead.split(" ")[1]);
  }

  /** The response body of a refused upgrade (read up to its Content-Length). */
  public String body() throws IOException {
    for (String line : responseHead.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        byte[] body = new byte[Integer.parseInt(line.substring(15).trim())];
        in.readFully(body);
        return new String(body, StandardCharsets.UTF_8);
      }
    }
    return "";
  }

  public void send(Buffer bytes) throws IOException {
    out.write(bytes.getBytes());
    out.flush();
  }

  /** A masked text frame, as a well-behaved client sends it. */
  public void sendText(String text) throws IOException {
    send(RawFrames.text(text, 0x1A2B3C4D));
  }

  /** The next frame from the relay, or null when the connection ended. */
  public Frame next() throws IOException {
    int b0;
    try {
      b0 = in.read();
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame from the relay within 10 s");
    } catch (IOException e) {
      return null;
    }
    if (b0 < 0) {
      return null;
    }
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] mask = null;
    if ((b1 & 0x80) != 0) {
      mask = new byte[4];
      in.readFully(mask);
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    if (mask != null) {
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i & 3];
      }
    }
    return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
  }

  /** Reads frames until a close frame (returned), skipping data and pings; fails if the connection just ends. */
  public Frame awaitClose() throws IOException {
    while (true) {
      Frame f = next();
      if (f == null) {
        throw new AssertionError("the connection ended without a close frame");
      }
      if (f.opcode() == 8) {
        return f;
      }
    }
  }

  /** Whether the relay closed the TCP connection (reads to the end, within the socket timeout). */
  public boolean endsWithin() throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (EOFException | java.net.SocketException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
