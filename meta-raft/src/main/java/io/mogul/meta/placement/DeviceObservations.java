package io.mogul.meta.placement;

import io.mogul.proto.DeviceReport;
import io.mogul.proto.HeartbeatRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What this tracker has observed of the datanodes through their heartbeats: liveness,
 * capacity and load. Kept in memory on every tracker, apart from the replicated admin state.
 * Datanodes heartbeat to every tracker, so every tracker that kept hearing them knows when
 * a device went silent or unhealthy, leader or not ({@link #unreachableSinceMs}).
 */
public final class DeviceObservations {
  /** The last report of one device and when it arrived. */
  public record Observation(int hostId, long capacityBytes, long usedBytes, long reserveBytes,
                            double ioLoad, boolean healthy, boolean full, long atMs, long unhealthySinceMs,
                            String error) {
    public long freeBytes() {
      return Math.max(0, capacityBytes - usedBytes - reserveBytes);
    }
  }

  private final Map<Integer, Observation> devices = new ConcurrentHashMap<>();
  private final Map<Integer, Long> hosts = new ConcurrentHashMap<>();
  private final long timeoutMs;
  private final LongSupplier clock;
  /** The last heartbeat of any host, and since when heartbeats arrived without a gap longer than the timeout. */
  private long lastHeardMs = Long.MIN_VALUE;
  private long hearingSinceMs = Long.MAX_VALUE;

  public DeviceObservations(long heartbeatTimeoutMs, LongSupplier clock) {
    this.timeoutMs = heartbeatTimeoutMs;
    this.clock = clock;
  }

  public long nowMs() {
    return clock.getAsLong();
  }

  public void record(HeartbeatRequest heartbeat) {
    long now = clock.getAsLong();
    synchronized (this) {
      if (lastHeardMs == Long.MIN_VALUE || now - lastHeardMs > timeoutMs) {
        hearingSinceMs = now;
      }
      lastHeardMs = Math.max(lastHeardMs, now);
    }
    hosts.put(heartbeat.getHostId(), now);
    for (DeviceReport r : heartbeat.getDevicesList()) {
      Observation before = devices.get(r.getDeviceId());
      long unhealthySince = r.getHealthy() ? 0
          : before != null && !before.healthy() ? before.unhealthySinceMs() : now;
      devices.put(r.getDeviceId(), new Observation(heartbeat.getHostId(), r.getCapacityBytes(), r.getUsedBytes(),
          r.getReserveBytes(), r.getIoLoad(), r.getHealthy(), r.getFull(), now, unhealthySince,
          r.getHealthy() ? "" : r.getError()));
    }
  }

  public Observation device(int deviceId) {
    return devices.get(deviceId);
  }

  public Map<Integer, Observation> allDevices() {
    return Map.copyOf(devices);
  }

  /** Heartbeats are arriving for the device and it reported itself healthy. */
  public boolean reachable(int deviceId) {
    Observation o = devices.get(deviceId);
    return o != null && o.healthy() && clock.getAsLong() - o.atMs() <= timeoutMs;
  }

  /**
   * Since when the device has been unreachable as this tracker can tell: from the moment
   * its heartbeats went missing or it reported itself unhealthy, but no earlier than the
   * start of the stretch during which this tracker kept hearing heartbeats at all (a tracker
   * that was cut off or hung cannot tell how long a device was silent). -1 when the device
   * is reachable or this tracker never heard of it.
   */
  public long unreachableSinceMs(int deviceId) {
    Observation o = devices.get(deviceId);
    if (o == null || reachable(deviceId)) {
      return -1;
    }
    long since = o.healthy() ? o.atMs() + timeoutMs : o.unhealthySinceMs();
    synchronized (this) {
      return Math.max(since, hearingSinceMs);
    }
  }

  public boolean hostReachable(int hostId) {
    Long at = hosts.get(hostId);
    return at != null && clock.getAsLong() - at <= timeoutMs;
  }

  /** When the host's last heartbeat arrived, 0 if never. */
  public long hostLastHeartbeat(int hostId) {
    return hosts.getOrDefault(hostId, 0L);
  }
}
