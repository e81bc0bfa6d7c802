package io.mogul.datanode.registry;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.Device;
import io.mogul.datanode.storage.Store;
import io.mogul.proto.DeviceAssignment;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.HeartbeatResponse;
import io.mogul.proto.RegistryGrpc;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports every device's capacity, usage, reserve, blob count, I/O load and health to every
 * tracker each interval, and applies the admin device and host states the answers carry.
 * A tracker that no longer knows this host triggers a re-registration.
 */
public final class Heartbeater implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeater.class);

  /** What to do when a tracker answers UNKNOWN_HOST. */
  public interface Reregistration {
    void reregister() throws Exception;
  }

  private final Store store;
  private final TrackerRegistration trackers;
  private final String address;
  private final long intervalMs;
  private final Reregistration reregistration;
  private final AtomicBoolean reregistering = new AtomicBoolean();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "datanode-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private volatile int hostId;

  public Heartbeater(Store store, TrackerRegistration trackers, int hostId, String address, long intervalMs,
      Reregistration reregistration) {
    this.store = store;
    this.trackers = trackers;
    this.hostId = hostId;
    this.address = address;
    this.intervalMs = Math.max(10, intervalMs);
    this.reregistration = reregistration;
  }

  public void setHostId(int hostId) {
    this.hostId = hostId;
  }

  public void start() {
    timer.scheduleWithFixedDelay(this::beat, 0, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** The current report of one device. */
  static DeviceReport report(Device d, long reserveBytes) {
    long total = d.totalBytes();
    long usable = d.usableBytes();
    boolean healthy = d.probe();
    DeviceReport.Builder b = DeviceReport.newBuilder().setDeviceId(d.id()).setCapacityBytes(total)
        .setUsedBytes(Math.max(0, total - usable)).setReserveBytes(reserveBytes).setBlobCount(d.index().size())
        .setIoLoad(d.ioLoad()).setHealthy(healthy).setFull(usable < reserveBytes);
    if (d.error() != null) {
      b.setError(d.error());
    }
    return b.build();
  }

  private void beat() {
    try {
      HeartbeatRequest.Builder req = HeartbeatRequest.newBuilder().setHostId(hostId).setAddress(address);
      for (Device d : store.devices()) {
        req.addDevices(report(d, store.config().reserveBytes));
      }
      HeartbeatRequest request = req.build();
      List<ManagedChannel> channels = trackers.channels();
      for (int i = 0; i < channels.size(); i++) {
        String tracker = trackers.addresses().get(i);
        RegistryGrpc.newStub(channels.get(i)).withDeadlineAfter(Math.max(1000, 3 * intervalMs), TimeUnit.MILLISECONDS)
            .heartbeat(request, new StreamObserver<>() {
              @Override
              public void onNext(HeartbeatResponse r) {
                apply(r);
              }

              @Override
              public void onError(Throwable t) {
                MogulException e = MogulException.from(t);
                LOG.debug("heartbeat to {} failed: {}", tracker, e.getMessage());
                if (e.reason() == ErrorReason.UNKNOWN_HOST) {
                  reregisterInBackground();
                }
              }

              @Override
              public void onCompleted() {}
            });
      }
    } catch (RuntimeException e) {
      LOG.warn("heartbeat round failed", e);
    }
  }

  private void apply(HeartbeatResponse r) {
    if (!r.getFromLeader()) {
      return; // a follower may be behind: admin states come from the leader only
    }
    for (DeviceAssignment a : r.getDevicesList()) {
      store.setDeviceState(a.getDeviceId(), a.getState());
    }
    if (r.getHostState() != io.mogul.proto.HostState.HOST_STATE_UNSPECIFIED) {
      store.setHostState(r.getHostState());
    }
  }

  private void reregisterInBackground() {
    if (reregistering.compareAndSet(false, true)) {
      timer.execute(() -> {
        try {
          reregistration.reregister();
        } catch (Exception e) {
          LOG.warn("re-registration failed", e);
        } finally {
          reregistering.set(false);
        }
      });
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
