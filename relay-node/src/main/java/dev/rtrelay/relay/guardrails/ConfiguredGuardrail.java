package dev.rtrelay.relay.guardrails;

import java.util.Set;

/** What every configured guardrail has, whatever its type: its name, modes and whether it is on by default. */
abstract class ConfiguredGuardrail implements Guardrail {
  private final String name;
  private final Set<GuardrailMode> modes;
  private final boolean defaultOn;

  ConfiguredGuardrail(String name, Set<GuardrailMode> modes, boolean defaultOn) {
    this.name = name;
    this.modes = modes;
    this.defaultOn = defaultOn;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final Set<GuardrailMode> modes() {
    return modes;
  }

  @Override
  public final boolean defaultOn() {
    return defaultOn;
  }
}
