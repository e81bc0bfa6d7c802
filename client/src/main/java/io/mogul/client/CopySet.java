package io.mogul.client;

import io.mogul.proto.DeviceLocation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The devices one upload attempt writes to: the first {@code needed} devices the tracker
 * ranked, and the rest as spares. When a copy fails, its replacement is the best spare on
 * a host that neither holds another copy nor failed, so the class's host spreading holds.
 */
final class CopySet {
  private final List<DeviceLocation> spares;
  private final Set<Integer> activeHosts = new HashSet<>();
  private final Set<Integer> failedHosts = new HashSet<>();
  private final List<Integer> failedDevices = new ArrayList<>();

  CopySet(List<DeviceLocation> ranked, int needed) {
    for (int i = 0; i < needed; i++) {
      activeHosts.add(ranked.get(i).getHostId());
    }
    this.spares = new ArrayList<>(ranked.subList(needed, ranked.size()));
  }

  /** Records that {@code failed} lost its copy; returns its replacement, or null if none. */
  synchronized DeviceLocation replace(DeviceLocation failed) {
    failedDevices.add(failed.getDeviceId());
    failedHosts.add(failed.getHostId());
    activeHosts.remove(failed.getHostId());
    for (int i = 0; i < spares.size(); i++) {
      DeviceLocation spare = spares.get(i);
      if (!activeHosts.contains(spare.getHostId()) && !failedHosts.contains(spare.getHostId())) {
        spares.remove(i);
        activeHosts.add(spare.getHostId());
        return spare;
      }
    }
    return null;
  }

  synchronized List<Integer> failedDevices() {
    return List.copyOf(failedDevices);
  }
}
