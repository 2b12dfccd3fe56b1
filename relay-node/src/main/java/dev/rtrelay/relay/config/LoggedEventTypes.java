package dev.rtrelay.relay.config;

import java.util.Set;

/** {@code litellm_settings.logged_real_time_event_types}: {@code "*"} or a list; LiteLLM's default is three types. */
public record LoggedEventTypes(boolean all, Set<String> types) {
  public static final LoggedEventTypes DEFAULT =
      new LoggedEventTypes(false, Set.of("session.created", "response.create", "response.done"));

  public boolean matches(String type) {
    return all || types.contains(type);
  }
}
