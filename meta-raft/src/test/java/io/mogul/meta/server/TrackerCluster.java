package io.mogul.meta.server;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mogul.common.MogulException;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.store.LiveStore;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.Empty;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.RaftRole;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.RegistryGrpc;
import io.mogul.proto.TrackerGrpc;
import io.mogul.proto.TrackerStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** A group of trackers in this JVM on loopback ports, plus fake datanodes that heartbeat to every tracker. */
public final class TrackerCluster implements AutoCloseable {
  private final Path root;
  private final List<TrackerConfig> configs = new ArrayList<>();
  private final TrackerServer[] servers;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService heartbeater = Executors.newSingleThreadScheduledExecutor();

  public TrackerCluster(Path root, int size, Consumer<TrackerConfig> tune) throws IOException {
    // Ratis ends the process when a server cannot start (a port it cannot bind); in a test
    // JVM that must be a test failure, not the end of every test after it.
    org.apache.ratis.util.ExitUtils.disableSystemExit();
    this.root = root;
    this.servers = new TrackerServer[size];
    String group = UUID.randomUUID().toString();
    List<TrackerConfig.Peer> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      peers.add(new TrackerConfig.Peer("t" + (i + 1), "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
    }
    for (int i = 0; i < size; i++) {
      TrackerConfig c = new TrackerConfig();
      c.id = peers.get(i).id;
      c.listen = peers.get(i).address;
      c.raftListen = peers.get(i).raftAddress;
      c.groupId = group;
      c.peers = peers;
      c.dataDir = root.resolve(c.id).toString();
      c.raft.electionTimeoutMinMs = 600;
      c.raft.electionTimeoutMaxMs = 1200;
      tune.accept(c);
      configs.add(c);
    }
    heartbeater.scheduleWithFixedDelay(this::heartbeatAll, 200, 500, TimeUnit.MILLISECONDS);
  }

  /**
   * Raft peers must know each other's addresses before starting, so ports are probed up
   * front; a restarted tracker binds its port again.
   */
  private static int freePort() throws IOException {
    return io.mogul.common.net.LoopbackPorts.free();
  }

  public int size() {
    return servers.length;
  }

  public TrackerConfig config(int i) {
    return configs.get(i);
  }

  public void startAll() throws IOException {
    for (int i = 0; i < servers.length; i++) {
      start(i);
    }
  }

  public void start(int i) throws IOException {
    servers[i] = TrackerServer.start(configs.get(i));
  }

  public void stop(int i) {
    servers[i].close();
    servers[i] = null;
  }

  public boolean running(int i) {
    return servers[i] != null;
  }

  public void wipe(int i) throws IOException {
    LiveStore.deleteTree(Path.of(configs.get(i).dataDir));
  }

  public String address(int i) {
    return configs.get(i).listen;
  }

  public ManagedChannel channel(int i) {
    return channels.computeIfAbsent(address(i), a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
  }

  public TrackerGrpc.TrackerBlockingStub tracker(int i) {
    return TrackerGrpc.newBlockingStub(channel(i)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public AdminGrpc.AdminBlockingStub admin(int i) {
    return AdminGrpc.newBlockingStub(channel(i)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public RegistryGrpc.RegistryBlockingStub registry(int i) {
    return RegistryGrpc.newBlockingStub(channel(i)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  public TrackerStatus status(int i) {
    return admin(i).withDeadlineAfter(2, TimeUnit.SECONDS).getTrackerStatus(Empty.getDefaultInstance());
  }

  /** Waits until a running tracker is leader and every running tracker agrees; returns its index. */
  public int awaitLeader(Duration timeout) {
    int[] leader = {-1};
    await(timeout, "a leader", () -> {
      int found = -1;
      for (int i = 0; i < servers.length; i++) {
        if (!running(i)) {
          continue;
        }
        try {
          if (status(i).getRole() == RaftRole.LEADER) {
            found = i;
          }
        } catch (RuntimeException e) {
          return false;
        }
      }
      if (found < 0) {
        return false;
      }
      String id = configs.get(found).id;
      for (int i = 0; i < servers.length; i++) {
        if (running(i) && !id.equals(status(i).getLeaderId())) {
          return false;
        }
      }
      leader[0] = found;
      return true;
    });
    return leader[0];
  }

  public int anyFollower(int leader) {
    for (int i = 0; i < servers.length; i++) {
      if (i != leader && running(i)) {
        return i;
      }
    }
    throw new IllegalStateException("no follower running");
  }

  /** Registers a fake datanode through tracker {@code via} and keeps it heartbeating as healthy. */
  public RegisterResponse datanode(int via, String name, String zone, int devices) {
    RegisterResponse r = retrying(() -> registry(via).register(RegisterRequest.newBuilder().setHostName(name)
        .setAddress("127.0.0.1:1").setZone(zone).setDeviceCount(devices).build()));
    HeartbeatRequest.Builder hb = HeartbeatRequest.newBuilder().setHostId(r.getHostId()).setAddress("127.0.0.1:1");
    for (int id : r.getDeviceIdsList()) {
      hb.addDevices(DeviceReport.newBuilder().setDeviceId(id).setCapacityBytes(1L << 40).setUsedBytes(1L << 30)
          .setHealthy(true));
    }
    heartbeats.add(hb.build());
    heartbeatAll();
    return r;
  }

  /** Stops the fake datanodes' heartbeats (trackers keep only what they observed so far). */
  public void stopHeartbeats() {
    heartbeater.shutdownNow();
    heartbeats.clear();
  }

  private synchronized void heartbeatAll() {
    for (int i = 0; i < servers.length; i++) {
      if (!running(i)) {
        continue;
      }
      for (HeartbeatRequest hb : heartbeats) {
        try {
          RegistryGrpc.newBlockingStub(channel(i)).withDeadlineAfter(2, TimeUnit.SECONDS).heartbeat(hb);
        } catch (RuntimeException e) {
          // A tracker that has not applied the registration yet answers UNKNOWN_HOST; the next round succeeds.
        }
      }
    }
  }

  /** Retries a call while it fails with a retriable error (elections, forwarding during a leader change). */
  public static <T> T retrying(java.util.function.Supplier<T> call) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        MogulException m = MogulException.from(e);
        if (!m.retriable() || System.nanoTime() > deadline) {
          throw m;
        }
        sleepBriefly();
      }
    }
  }

  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet: the condition is polled again until the deadline
      }
      sleepBriefly();
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    heartbeater.shutdownNow();
    for (ManagedChannel c : channels.values()) {
      c.shutdownNow();
    }
    for (int i = 0; i < servers.length; i++) {
      if (servers[i] != null) {
        servers[i].close();
        servers[i] = null;
      }
    }
  }
}
