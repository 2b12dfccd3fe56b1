package dev.rtrelay.relay.wire;

/** The socket a {@link FrameForwarder} reads from: paused while a held message is checked. */
public interface WireSource {
  void pause();

  void resume();
}
