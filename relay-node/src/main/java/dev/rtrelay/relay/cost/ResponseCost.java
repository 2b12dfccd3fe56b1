package dev.rtrelay.relay.cost;

import java.math.BigDecimal;

/** USD cost of one response, by price line; every figure is exact. */
public record ResponseCost(
    BigDecimal inputText,
    BigDecimal inputAudio,
    BigDecimal inputImage,
    BigDecimal cachedInput,
    BigDecimal outputText,
    BigDecimal outputAudio) {

  public static final ResponseCost ZERO = new ResponseCost(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
      BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

  public BigDecimal total() {
    return inputText.add(inputAudio).add(inputImage).add(cachedInput).add(outputText).add(outputAudio);
  }

  public ResponseCost plus(ResponseCost o) {
    return new ResponseCost(inputText.add(o.inputText), inputAudio.add(o.inputAudio), inputImage.add(o.inputImage),
        cachedInput.add(o.cachedInput), outputText.add(o.outputText), outputAudio.add(o.outputAudio));
  }
}
