package io.mogul.meta.jobs;

import io.mogul.meta.request.KnownSettings;
import io.mogul.meta.service.TrackerCore;

/** Reads cluster settings (replicated, changeable at runtime) for the jobs, with their defaults. */
final class JobSettings {
  private final TrackerCore core;

  JobSettings(TrackerCore core) {
    this.core = core;
  }

  String value(String name) {
    KnownSettings.Definition d = KnownSettings.require(name);
    String stored = core.read(view -> view.setting(name));
    return stored == null ? d.defaultValue() : stored;
  }

  long number(String name) {
    return Long.parseLong(value(name));
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(value(name));
  }
}
