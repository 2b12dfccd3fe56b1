package dev.rtrelay.relay.cost;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * One {@code response.done} as the relay bills it.
 *
 * @param responseId the provider's response id, when present
 * @param status the response status ({@code completed}, {@code cancelled}, ...), when present
 * @param cost empty when the deployment has no known prices
 * @param sessionCost the session's total after this response; empty when prices are unknown
 */
public record ResponseBill(
    Optional<String> responseId,
    Optional<String> status,
    ResponseUsage usage,
    Optional<ResponseCost> cost,
    Optional<BigDecimal> sessionCost) {}
