package io.mogul.datanode.registry;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mogul.common.MogulException;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.RegistryGrpc;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channels to the trackers and the registration handshake: the trackers are tried in turn,
 * with growing pauses between rounds, until one answers.
 */
public final class TrackerRegistration implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerRegistration.class);
  private static final long CALL_TIMEOUT_MS = 5_000;

  private final List<String> addresses;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private int next;

  public TrackerRegistration(List<String> trackerAddresses) {
    this.addresses = List.copyOf(trackerAddresses);
    for (String a : addresses) {
      channels.add(NettyChannelBuilder.forTarget(a).usePlaintext().build());
    }
  }

  List<String> addresses() {
    return addresses;
  }

  List<ManagedChannel> channels() {
    return channels;
  }

  /**
   * Registers this host, trying every tracker in turn until one answers.
   *
   * @param timeoutMs give up after this long (0: never)
   * @throws IOException when no tracker answered in time
   */
  public RegisterResponse register(String hostName, String address, String zone, Collection<Integer> knownDevices,
      int deviceCount, long timeoutMs) throws IOException {
    RegisterRequest req = RegisterRequest.newBuilder().setHostName(hostName).setAddress(address).setZone(zone)
        .addAllKnownDeviceIds(knownDevices).setDeviceCount(deviceCount).build();
    long deadline = timeoutMs <= 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    long pauseMs = 100;
    Exception last = null;
    while (true) {
      for (int i = 0; i < channels.size(); i++) {
        int which;
        synchronized (this) {
          which = next;
        }
        try {
          RegisterResponse r = RegistryGrpc.newBlockingStub(channels.get(which))
              .withDeadlineAfter(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS).register(req);
          LOG.info("registered host {} as host id {} with devices {} via {}", hostName, r.getHostId(),
              r.getDeviceIdsList(), addresses.get(which));
          return r;
        } catch (StatusRuntimeException e) {
          last = MogulException.from(e);
          LOG.debug("tracker {} did not register us: {}", addresses.get(which), e.getStatus());
          synchronized (this) {
            next = (which + 1) % channels.size();
          }
        }
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("no tracker of " + addresses + " answered the registration: " + last, last);
      }
      LOG.warn("no tracker of {} answered the registration ({}); retrying in {} ms", addresses,
          last == null ? "?" : last.getMessage(), pauseMs);
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while registering", e);
      }
      pauseMs = Math.min(5_000, pauseMs * 2);
    }
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
