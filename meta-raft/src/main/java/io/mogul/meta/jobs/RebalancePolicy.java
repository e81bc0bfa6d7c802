package io.mogul.meta.jobs;

import io.mogul.meta.request.KnownSettings;
import io.mogul.proto.RebalanceStatus;
import java.util.Locale;
import java.util.Set;

/**
 * Which devices rebalance may move files off and onto, and when a started run has moved
 * enough (mogadm's rebalance policy), from the {@code rebalance.*} settings. Empty device
 * sets allow every writable device; a limit of 0 is none. The goal stays the spread: the
 * policy only narrows which moves towards it are made.
 */
record RebalancePolicy(Set<Integer> from, Set<Integer> to, long limitFiles, long limitBytes) {
  static final RebalancePolicy ANY = new RebalancePolicy(Set.of(), Set.of(), 0, 0);

  static RebalancePolicy read(JobSettings settings) {
    return new RebalancePolicy(KnownSettings.devices(settings.value("rebalance.from_devices")),
        KnownSettings.devices(settings.value("rebalance.to_devices")),
        settings.number("rebalance.limit_files"), settings.number("rebalance.limit_bytes"));
  }

  boolean allowsFrom(int deviceId) {
    return from.isEmpty() || from.contains(deviceId);
  }

  boolean allowsTo(int deviceId) {
    return to.isEmpty() || to.contains(deviceId);
  }

  /** Why the run measured by {@code state} has moved enough, or null while it may go on. */
  String limitReached(RebalanceStatus state) {
    if (limitFiles > 0 && state.getMovedFiles() >= limitFiles) {
      return String.format(Locale.ROOT, "moved %d files, rebalance.limit_files is %d", state.getMovedFiles(),
          limitFiles);
    }
    if (limitBytes > 0 && state.getMovedBytes() >= limitBytes) {
      return String.format(Locale.ROOT, "moved %d bytes, rebalance.limit_bytes is %d", state.getMovedBytes(),
          limitBytes);
    }
    return null;
  }

  /** The device filters, for messages; empty when every device is allowed. */
  String describe() {
    if (from.isEmpty() && to.isEmpty()) {
      return "";
    }
    return " (policy: from devices " + (from.isEmpty() ? "any" : from) + ", to devices " + (to.isEmpty() ? "any" : to)
        + ")";
  }
}
