package dev.rtrelay.relay.ws;

/** Which way a frame travels through the relay. */
public enum Direction {
  CLIENT_TO_UPSTREAM("client->upstream"),
  UPSTREAM_TO_CLIENT("upstream->client");

  private final String label;

  Direction(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
