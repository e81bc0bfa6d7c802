package io.mogul.meta.jobs;

import io.mogul.meta.placement.DeviceObservations;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.DeviceState;
import io.mogul.proto.HostState;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.HostRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How much a copy on a device is worth right now, from the admin state and what the
 * leader observed. A device that is down or unreachable keeps counting for a grace period
 * (a reboot should not trigger a wave of copies). For an unreachable device the grace
 * starts when its heartbeats went missing or it reported itself unhealthy: every tracker
 * hears the heartbeats, so a new leader continues the grace where the old one was
 * ({@link DeviceObservations#unreachableSinceMs}). A device only marked down, or one this
 * tracker has not heard of since it started, gets its grace from when this leader first
 * saw it unavailable: after a leader change such files are copied at most one grace
 * period later than the old leader would have, never earlier.
 */
final class CopyStates {
  /** The worth of one copy. */
  enum Copy {
    /** Readable now and counts toward mindevcount. */
    GOOD,
    /** Not readable now but still counts (down or unreachable within the grace period). */
    PENDING,
    /** Readable but leaving: its device is draining. Serves as a source, does not count. */
    DRAINING,
    /** Down or unreachable for longer than the grace period, or unreachable while draining: does not count. */
    LOST,
    /** The device is dead or unknown: the copy is gone for good. */
    DEAD
  }

  private final DeviceObservations observations;
  private final LongSupplier graceMs;
  private final Map<Integer, Long> unavailableSince = new ConcurrentHashMap<>();

  CopyStates(DeviceObservations observations, LongSupplier graceMs) {
    this.observations = observations;
    this.graceMs = graceMs;
  }

  Copy of(MetaView view, int deviceId) {
    DeviceRecord d = view.device(deviceId);
    HostRecord h = d == null ? null : view.host(d.getHostId());
    if (d == null || h == null || d.getState() == DeviceState.DEVICE_DEAD || h.getState() == HostState.HOST_DEAD) {
      unavailableSince.remove(deviceId);
      return Copy.DEAD;
    }
    boolean draining = d.getState() == DeviceState.DEVICE_DRAIN;
    boolean down = d.getState() == DeviceState.DEVICE_DOWN || h.getState() == HostState.HOST_DOWN;
    if (down || !observations.reachable(deviceId)) {
      long now = observations.nowMs();
      long firstSeen = unavailableSince.computeIfAbsent(deviceId, id -> now);
      long observed = observations.unreachableSinceMs(deviceId);
      long since = observed >= 0 ? Math.min(observed, firstSeen) : firstSeen;
      // A copy on a draining device never counts; unreachable it cannot even be a source.
      return draining || now - since > graceMs.getAsLong() ? Copy.LOST : Copy.PENDING;
    }
    unavailableSince.remove(deviceId);
    return draining ? Copy.DRAINING : Copy.GOOD;
  }
}
