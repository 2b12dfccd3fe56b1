package dev.rtrelay.relay.routing;

import java.util.List;

/** All deployments that share one {@code model_name}: the unit of load balancing and failover. */
public record ModelGroup(String alias, List<DeploymentState> deployments) {}
