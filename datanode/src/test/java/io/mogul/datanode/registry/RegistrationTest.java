package io.mogul.datanode.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceAssignment;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.HeartbeatResponse;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.RegistryGrpc;
import io.mogul.proto.WriteSmallRequest;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class RegistrationTest {
  @TempDir Path dir;
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

  /** Test stand-in for a tracker's Registry service: fixed answers, records every call. */
  static final class FakeRegistry extends RegistryGrpc.RegistryImplBase {
    final List<RegisterRequest> registers = new CopyOnWriteArrayList<>();
    final List<HeartbeatRequest> heartbeats = new CopyOnWriteArrayList<>();
    final Map<Integer, DeviceState> states = new ConcurrentHashMap<>();
    /** Whether this tracker answers as the leader. */
    volatile boolean leader = true;
    final List<Integer> owned;

    FakeRegistry(List<Integer> owned) {
      this.owned = owned;
      owned.forEach(id -> states.put(id, DeviceState.DEVICE_ALIVE));
    }

    @Override
    public void register(RegisterRequest req, StreamObserver<RegisterResponse> out) {
      registers.add(req);
      out.onNext(RegisterResponse.newBuilder().setHostId(7).addAllDeviceIds(owned).build());
      out.onCompleted();
    }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatResponse> out) {
      heartbeats.add(req);
      HeartbeatResponse.Builder b = HeartbeatResponse.newBuilder().setFromLeader(leader);
      states.forEach((id, s) -> b.addDevices(DeviceAssignment.newBuilder().setDeviceId(id).setState(s)));
      out.onNext(b.build());
      out.onCompleted();
    }
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private String serve(FakeRegistry registry) throws Exception {
    Server s = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(registry).build().start();
    open.add(() -> {
      s.shutdownNow();
      s.awaitTermination(5, TimeUnit.SECONDS);
    });
    return "127.0.0.1:" + ((InetSocketAddress) s.getListenSockets().get(0)).getPort();
  }

  private static String deadAddress() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return "127.0.0.1:" + s.getLocalPort(); // closed again: nothing listens there
    }
  }

  private static void waitFor(BooleanSupplier cond, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void registersThroughAnAnsweringTrackerAndHeartbeatsToAll() throws Exception {
    FakeRegistry first = new FakeRegistry(List.of(3, 4));
    FakeRegistry second = new FakeRegistry(List.of(3, 4));
    Files.createDirectories(dir.resolve("dev3"));
    DatanodeConfig c = config(2);
    c.hostName = "dn-test";
    c.zone = "z1";
    c.trackers = List.of(deadAddress(), serve(first), serve(second));
    DatanodeServer dn = DatanodeServer.start(c);
    open.add(dn);

    assertEquals(1, first.registers.size() + second.registers.size());
    RegisterRequest reg = first.registers.isEmpty() ? second.registers.get(0) : first.registers.get(0);
    assertEquals("dn-test", reg.getHostName());
    assertEquals(dn.address(), reg.getAddress());
    assertEquals("z1", reg.getZone());
    assertEquals(List.of(3), reg.getKnownDeviceIdsList());
    assertEquals(2, reg.getDeviceCount());
    assertTrue(Files.isDirectory(dir.resolve("dev4")), "a device new to the host gets its directory");

    waitFor(() -> !first.heartbeats.isEmpty() && !second.heartbeats.isEmpty(), "both trackers get heartbeats");
    HeartbeatRequest hb = second.heartbeats.get(0);
    assertEquals(7, hb.getHostId());
    assertEquals(dn.address(), hb.getAddress());
    assertEquals(2, hb.getDevicesCount());
    DeviceReport d3 = hb.getDevicesList().stream().filter(d -> d.getDeviceId() == 3).findFirst().orElseThrow();
    assertTrue(d3.getHealthy());
    assertFalse(d3.getFull());
    assertTrue(d3.getCapacityBytes() > 0);

    ManagedChannel ch = NettyChannelBuilder.forTarget(dn.address()).usePlaintext().build();
    open.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    DataNodeGrpc.DataNodeBlockingStub stub = DataNodeGrpc.newBlockingStub(ch);
    byte[] data = "abc".getBytes();
    CRC32C crc = new CRC32C();
    crc.update(data);
    WriteSmallRequest.Builder w = WriteSmallRequest.newBuilder().setDeviceId(4).setData(ByteString.copyFrom(data))
        .setCrc32C((int) crc.getValue());
    stub.writeSmall(w.setFid(1).build());
    waitFor(() -> first.heartbeats.stream().anyMatch(h -> h.getDevicesList().stream()
        .anyMatch(d -> d.getDeviceId() == 4 && d.getBlobCount() == 1)), "blob count is reported");

    // The admin marks device 4 read-only: new writes are refused, reads still served.
    first.states.put(4, DeviceState.DEVICE_READONLY);
    second.states.put(4, DeviceState.DEVICE_READONLY);
    waitFor(() -> dn.store().device(4).state() == DeviceState.DEVICE_READONLY, "state applied");
    try {
      stub.writeSmall(w.setFid(2).build());
      throw new AssertionError("write to a read-only device must fail");
    } catch (StatusRuntimeException e) {
      assertEquals(ErrorReason.DEVICE_UNAVAILABLE, MogulException.from(e).reason());
    }

    // A follower that is behind still answers "alive": its answer must not undo the mark.
    second.leader = false;
    second.states.put(4, DeviceState.DEVICE_ALIVE);
    int seen = second.heartbeats.size();
    waitFor(() -> second.heartbeats.size() >= seen + 5, "the follower keeps answering heartbeats");
    assertEquals(DeviceState.DEVICE_READONLY, dn.store().device(4).state(), "a follower's stale state is ignored");
  }

  /** A datanode of {@code devices} devices in the test's directory, heartbeating every 50 ms, no reserve. */
  private DatanodeConfig config(int devices) {
    DatanodeConfig c = new DatanodeConfig();
    c.listen = "127.0.0.1:0";
    c.dataDir = dir.toString();
    c.devices = devices;
    c.reserveBytes = 0;
    c.heartbeatIntervalMs = 50;
    return c;
  }

  private static DeviceReport lastReport(FakeRegistry registry, int deviceId) {
    List<HeartbeatRequest> hbs = registry.heartbeats;
    return hbs.get(hbs.size() - 1).getDevicesList().stream().filter(d -> d.getDeviceId() == deviceId).findFirst()
        .orElseThrow();
  }

  @Test
  void heartbeatsReportTheUsedBytesAndIoLoadOfWrites() throws Exception {
    FakeRegistry registry = new FakeRegistry(List.of(1));
    DatanodeConfig c = config(1);
    c.trackers = List.of(serve(registry));
    DatanodeServer dn = DatanodeServer.start(c);
    open.add(dn);
    waitFor(() -> registry.heartbeats.size() >= 2, "heartbeats arrive");
    DeviceReport before = lastReport(registry, 1);
    int idleBeats = registry.heartbeats.size();

    ManagedChannel ch = NettyChannelBuilder.forTarget(dn.address()).usePlaintext().build();
    open.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    DataNodeGrpc.DataNodeBlockingStub stub = DataNodeGrpc.newBlockingStub(ch);
    java.util.Random random = new java.util.Random(61);
    long written = 0;
    for (int fid = 1; fid <= 32; fid++) {
      byte[] data = new byte[4 << 20];
      random.nextBytes(data);
      CRC32C crc = new CRC32C();
      crc.update(data);
      stub.writeSmall(WriteSmallRequest.newBuilder().setDeviceId(1).setFid(fid).setData(ByteString.copyFrom(data))
          .setCrc32C((int) crc.getValue()).build());
      written += data.length;
    }

    for (HeartbeatRequest hb : registry.heartbeats.subList(0, idleBeats)) {
      assertEquals(0.0, hb.getDevices(0).getIoLoad(), "an idle device reports no I/O load");
    }
    long grown = written;
    // Used bytes are the file system's: other processes' files may come and go meanwhile,
    // hence the slack.
    waitFor(() -> lastReport(registry, 1).getUsedBytes() >= before.getUsedBytes() + grown / 2,
        "used bytes grow by what was written");
    int busyFrom = idleBeats;
    waitFor(() -> registry.heartbeats.subList(busyFrom, registry.heartbeats.size()).stream()
        .anyMatch(hb -> hb.getDevices(0).getIoLoad() > 0), "a heartbeat reports the writes' I/O load");
    waitFor(() -> lastReport(registry, 1).getIoLoad() == 0.0, "the load falls back to 0 once writes stop");
  }

  private static DeviceReport reportOf(HeartbeatRequest hb, int deviceId) {
    return hb.getDevicesList().stream().filter(d -> d.getDeviceId() == deviceId).findFirst().orElseThrow();
  }

  private static boolean reported(FakeRegistry registry, int deviceId, java.util.function.Predicate<DeviceReport> p) {
    return registry.heartbeats.stream().anyMatch(hb -> p.test(reportOf(hb, deviceId)));
  }

  private static ErrorReason reasonOf(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return MogulException.from(e).reason();
    }
    throw new AssertionError("the call was expected to fail");
  }

  /**
   * Device 3's directory cannot be opened (a volume file is a directory), and reading a blob
   * of device 4 fails with an I/O error (its large-blob file became a directory): both are
   * reported unhealthy with the error, while the datanode starts and device 5 keeps serving.
   */
  @Test
  void unreadableDevicesAreReportedUnhealthyWhileTheOthersServe() throws Exception {
    FakeRegistry registry = new FakeRegistry(List.of(3, 4, 5));
    Files.createDirectories(dir.resolve("dev3").resolve(io.mogul.datanode.storage.format.VolumeFormat.datName(1)));
    DatanodeConfig c = config(3);
    c.storage.writeBufferBytes = 256 * 1024;
    c.storage.largeBlobThresholdBytes = 512 * 1024;
    c.trackers = List.of(serve(registry));
    DatanodeServer dn = DatanodeServer.start(c);
    open.add(dn);

    waitFor(() -> reported(registry, 3, d -> !d.getHealthy() && d.getError().contains("cannot open device")),
        "device 3 is reported unhealthy with why it cannot be opened");
    ManagedChannel ch = NettyChannelBuilder.forTarget(dn.address()).usePlaintext().build();
    open.add(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    DataNodeGrpc.DataNodeBlockingStub stub = DataNodeGrpc.newBlockingStub(ch);
    byte[] small = "small".getBytes();
    CRC32C smallCrc = new CRC32C();
    smallCrc.update(small);
    WriteSmallRequest.Builder w = WriteSmallRequest.newBuilder().setData(ByteString.copyFrom(small))
        .setCrc32C((int) smallCrc.getValue());
    assertEquals(ErrorReason.DEVICE_UNAVAILABLE, reasonOf(() -> stub.writeSmall(w.setDeviceId(3).setFid(1).build())));
    assertEquals(ErrorReason.DEVICE_UNAVAILABLE, reasonOf(() -> readAll(stub, 3, 1)));

    // A large blob on device 4 whose file then cannot be read.
    byte[] large = new byte[1 << 20];
    new java.util.Random(71).nextBytes(large);
    CRC32C largeCrc = new CRC32C();
    largeCrc.update(large);
    var receiver = dn.store().receive(4, 2);
    receiver.add(java.nio.ByteBuffer.wrap(large));
    dn.store().commit(4, 2, receiver.finish(large.length, (int) largeCrc.getValue())).get(10, TimeUnit.SECONDS);
    stub.writeSmall(w.setDeviceId(4).setFid(3).build());
    waitFor(() -> dn.store().device(4).error() == null && reported(registry, 4, DeviceReport::getHealthy),
        "device 4 is healthy before the failing read");
    Path largeFile = dir.resolve("dev4").resolve("large").resolve(io.mogul.datanode.storage.format.VolumeFormat
        .largeName(2));
    Files.delete(largeFile);
    Files.createDirectory(largeFile);
    reasonOf(() -> readAll(stub, 4, 2));
    int before = registry.heartbeats.size();
    waitFor(() -> registry.heartbeats.subList(before, registry.heartbeats.size()).stream()
        .map(hb -> reportOf(hb, 4)).anyMatch(d -> !d.getHealthy() && d.getError().contains("fid 2")),
        "device 4 is reported unhealthy with the read error");
    assertTrue(reportOf(registry.heartbeats.get(registry.heartbeats.size() - 1), 4).getError().contains("fid 2"),
        "the read error is still reported in later heartbeats");
    assertArrayEquals(small, readAll(stub, 4, 3), "blobs of an unhealthy device can still be read");

    stub.writeSmall(w.setDeviceId(5).setFid(4).build());
    assertArrayEquals(small, readAll(stub, 5, 4));
    assertTrue(reportOf(registry.heartbeats.get(registry.heartbeats.size() - 1), 5).getHealthy());
  }

  private static byte[] readAll(DataNodeGrpc.DataNodeBlockingStub stub, int device, long fid) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    stub.read(io.mogul.proto.ReadRequest.newBuilder().setDeviceId(device).setFid(fid).setLength(-1).build())
        .forEachRemaining(r -> out.writeBytes(r.getChunk().toByteArray()));
    return out.toByteArray();
  }

  @Test
  void deviceOnDiskThatTheTrackersNoLongerListIsNotServed() throws Exception {
    FakeRegistry registry = new FakeRegistry(List.of(2));
    Files.createDirectories(dir.resolve("dev1"));
    DatanodeConfig c = config(1);
    c.trackers = List.of(serve(registry));
    DatanodeServer dn = DatanodeServer.start(c);
    open.add(dn);
    assertEquals(DeviceState.DEVICE_DEAD, dn.store().device(1).state());
    assertEquals(DeviceState.DEVICE_ALIVE, dn.store().device(2).state());
  }

  @Test
  void deviceBelowItsReserveIsReportedFull() throws Exception {
    FakeRegistry registry = new FakeRegistry(List.of(1));
    DatanodeConfig c = config(1);
    c.reserveBytes = Long.MAX_VALUE / 4;
    c.trackers = List.of(serve(registry));
    open.add(DatanodeServer.start(c));
    waitFor(() -> !registry.heartbeats.isEmpty(), "a heartbeat arrives");
    DeviceReport report = registry.heartbeats.get(0).getDevices(0);
    assertTrue(report.getFull());
    assertTrue(report.getHealthy());
    assertEquals(Long.MAX_VALUE / 4, report.getReserveBytes());
  }
}
