package dev.rtrelay.relay.simulated;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReplySplittingTest {

  @Test
  void wordPiecesKeepWhitespaceSoTheyConcatenateBackExactly() {
    String text = "Hello  from\tthe\nsimulated model. ";
    List<String> pieces = SimulatedSession.wordPieces(text);
    assertEquals(List.of("Hello  ", "from\t", "the\n", "simulated ", "model. "), pieces);
    assertEquals(text, String.join("", pieces));
  }

  @Test
  void groupingSpreadsPiecesOverEveryChunkWhenThereAreEnough() {
    List<String> pieces = List.of("a ", "b ", "c ", "d ", "e ", "f ", "g ", "h");
    List<String> grouped = SimulatedSession.group(pieces, 5);
    assertEquals(5, grouped.size());
    assertEquals(String.join("", pieces), String.join("", grouped));
  }

  @Test
  void groupingNeverProducesEmptyGroups() {
    assertEquals(List.of("a ", "b"), SimulatedSession.group(List.of("a ", "b"), 5));
  }

  @Test
  void syntheticAudioIsFiveTwentyMillisecondChunksOfPcm16() {
    assertEquals(960, SyntheticAudio.CHUNK_BYTES);
    assertEquals(5, SyntheticAudio.base64Chunks().size());
    assertEquals(1280, SyntheticAudio.base64Chunks().get(0).length(), "960 bytes as base64");
  }
}
