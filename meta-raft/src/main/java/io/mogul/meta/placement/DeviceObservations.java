package io.mogul.meta.placement;

import io.mogul.proto.DeviceReport;
import io.mogul.proto.HeartbeatRequest;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What this tracker has observed of the datanodes through their heartbeats: liveness,
 * capacity and load. Kept in memory on every tracker, apart from the replicated admin state.
 */
public final class DeviceObservations {
  /** The last report of one device and when it arrived. */
  public record Observation(int hostId, long capacityBytes, long usedBytes, long reserveBytes,
                            double ioLoad, boolean healthy, boolean full, long atMs) {
    public long freeBytes() {
      return Math.max(0, capacityBytes - usedBytes - reserveBytes);
    }
  }

  private final Map<Integer, Observation> devices = new ConcurrentHashMap<>();
  private final Map<Integer, Long> hosts = new ConcurrentHashMap<>();
  private final long timeoutMs;
  private final LongSupplier clock;

  public DeviceObservations(long heartbeatTimeoutMs, LongSupplier clock) {
    this.timeoutMs = heartbeatTimeoutMs;
    this.clock = clock;
  }

  public long nowMs() {
    return clock.getAsLong();
  }

  public void record(HeartbeatRequest heartbeat) {
    long now = clock.getAsLong();
    hosts.put(heartbeat.getHostId(), now);
    for (DeviceReport r : heartbeat.getDevicesList()) {
      devices.put(r.getDeviceId(), new Observation(heartbeat.getHostId(), r.getCapacityBytes(), r.getUsedBytes(),
          r.getReserveBytes(), r.getIoLoad(), r.getHealthy(), r.getFull(), now));
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

  public boolean hostReachable(int hostId) {
    Long at = hosts.get(hostId);
    return at != null && clock.getAsLong() - at <= timeoutMs;
  }

  /** When the host's last heartbeat arrived, 0 if never. */
  public long hostLastHeartbeat(int hostId) {
    return hosts.getOrDefault(hostId, 0L);
  }
}
