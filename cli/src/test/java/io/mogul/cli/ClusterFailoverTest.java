package io.mogul.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.client.MogulClient;
import io.mogul.client.PutOptions;
import io.mogul.client.RetryPolicy;
import io.mogul.common.MogulException;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.DeviceState;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.SetDeviceStateRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The client riding over a datanode and a leader tracker killed under load, and over a lost quorum. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterFailoverTest {
  private static final long SEED = 777L;
  @TempDir static Path dir;
  private static ProcessCluster cluster;
  private static MogulClient client;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestClusters.start(dir.resolve("cluster"));
    client = cluster.client();
    TestClusters.createDomain(client, "fo", 2);
  }

  @AfterAll
  static void stopCluster() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static List<Integer> devicesOf(NodeProcess datanode) {
    return cluster.devices().stream().filter(d -> d.getHostAddress().equals(datanode.address()))
        .map(DeviceInfo::getDeviceId).toList();
  }

  private static void mark(List<Integer> devices, DeviceState state) {
    for (int id : devices) {
      client.admin(a -> a.setDeviceState(SetDeviceStateRequest.newBuilder().setDeviceId(id).setState(state).build()));
    }
  }

  @Test
  void datanodeKilledDuringAHundredMebibyteUploadIsReplacedOrLeavesNothing() throws Exception {
    NodeProcess victim = cluster.datanodes().get(0);
    NodeProcess spare = cluster.datanodes().get(2);
    List<Integer> victimDevices = devicesOf(victim);
    List<Integer> spareDevices = devicesOf(spare);
    Path source = dir.resolve("big.bin");
    Random random = new Random(SEED);
    CRC32C crc = new CRC32C();
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(source)) {
      for (int i = 0; i < 100; i++) {
        random.nextBytes(block);
        crc.update(block);
        out.write(block);
      }
    }
    // With the spare host read-only the upload must go to the victim and the third host.
    mark(spareDevices, DeviceState.DEVICE_READONLY);
    AtomicLong sent = new AtomicLong();
    CompletableFuture<FileInfo> put;
    try {
      put = client.putAsync("fo", "big", source, PutOptions.builder().progress(sent::addAndGet).build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (sent.get() < 10L << 20 && !put.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertFalse(put.isDone(), "the upload finished before the datanode could be killed");
    } finally {
      mark(spareDevices, DeviceState.DEVICE_ALIVE);
    }
    victim.kill();
    try {
      FileInfo info = put.get(3, TimeUnit.MINUTES);
      for (DeviceLocation location : info.getLocationsList()) {
        assertFalse(victimDevices.contains(location.getDeviceId()), "copy on the killed datanode: " + info);
      }
      assertEquals(2, info.getLocationsCount());
      CRC32C back = new CRC32C();
      try (InputStream in = client.openStream("fo", "big")) {
        int n;
        while ((n = in.read(block)) > 0) {
          back.update(block, 0, n);
        }
      }
      assertEquals(crc.getValue(), back.getValue(), "seed " + SEED);
    } catch (java.util.concurrent.ExecutionException failed) {
      // Failing is allowed, but only cleanly: nothing may be visible under the key.
      MogulException e = MogulException.from(failed.getCause());
      MogulException lookup = org.junit.jupiter.api.Assertions.assertThrows(MogulException.class,
          () -> client.info("fo", "big"), "a failed put (" + e.getMessage() + ") left the key visible");
      assertEquals(ErrorReason.UNKNOWN_KEY, lookup.reason(), "put failed with " + e.reason() + " " + e.getMessage()
          + "; then info failed with " + lookup.getMessage());
    } finally {
      victim.start();
      cluster.awaitReady(Duration.ofMinutes(1));
    }
  }

  @Test
  void leaderKilledDuringAStreamOfUploadsLosesNoAcknowledgedPut() throws Exception {
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong afterKill = new AtomicLong();
    AtomicBoolean killed = new AtomicBoolean();
    ExecutorService writers = Executors.newFixedThreadPool(4);
    for (int w = 0; w < 4; w++) {
      int writer = w;
      writers.submit(() -> {
        for (int i = 0; !stop.get(); i++) {
          String key = "stream/" + writer + "/" + i;
          byte[] data = (key + " seed " + SEED).repeat(30).getBytes(StandardCharsets.UTF_8);
          try {
            client.put("fo", key, data);
            acknowledged.put(key, data);
            if (killed.get()) {
              afterKill.incrementAndGet();
            }
          } catch (RuntimeException e) {
            failures.add(e);
          }
        }
      });
    }
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (acknowledged.size() < 200 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      NodeProcess leader = cluster.leader();
      leader.kill();
      killed.set(true);
      while (afterKill.get() < 200 && System.nanoTime() < deadline && failures.isEmpty()) {
        Thread.sleep(10);
      }
      stop.set(true);
      writers.shutdown();
      assertTrue(writers.awaitTermination(1, TimeUnit.MINUTES));
      assertTrue(failures.isEmpty(), "puts failed across the leader change: " + failures.stream()
          .map(e -> MogulException.from(e).reason() + " " + e.getMessage()).toList());
      assertTrue(afterKill.get() >= 200, "only " + afterKill.get() + " puts after the leader was killed");
      for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
        assertArrayEquals(e.getValue(), client.get("fo", e.getKey()), e.getKey());
      }
      leader.start();
      cluster.awaitReady(Duration.ofMinutes(1));
    } finally {
      stop.set(true);
      writers.shutdownNow();
    }
  }

  @Test
  void staleReadsKeepAnsweringFromTheOneTrackerLeftWithoutAQuorum() throws Exception {
    byte[] data = ("quorum seed " + SEED).repeat(100).getBytes(StandardCharsets.UTF_8);
    client.put("fo", "quorum/k", data);
    NodeProcess leader = cluster.leader();
    List<NodeProcess> followers = cluster.trackers().stream().filter(t -> t != leader).toList();
    NodeProcess lone = followers.get(0);
    // The follower left alone must have applied the put before the others stop. It may also
    // still be starting, if an earlier scenario restarted it.
    try (MogulClient atLone = lookupClient(List.of(lone.address()), true)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!hasKey(atLone, "quorum/k") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(hasKey(atLone, "quorum/k"), lone.name() + " never applied the put");
    }
    List<NodeProcess> paused = List.of(leader, followers.get(1));
    paused.forEach(NodeProcess::pause);
    try (MogulClient stale = lookupClient(cluster.trackerAddresses(), true);
         MogulClient linearizable = lookupClient(cluster.trackerAddresses(), false)) {
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(data, stale.get("fo", "quorum/k"));
        assertEquals(data.length, stale.info("fo", "quorum/k").getLength());
        assertEquals("quorum/k", stale.listPage("fo", "quorum/", "", 10).getKeys(0).getKey());
      }
      // The command line's option does the same.
      Path home = Files.createDirectories(dir.resolve("stale-home"));
      Files.writeString(home.resolve(".mogul.yaml"), "callTimeoutMs: 1000\noperationTimeoutMs: 8000\n"
          + "retryTimeoutMs: 8000\n");
      CliRun cat = CliRun.run(home, Map.of("MOGUL_TRACKERS", String.join(",", cluster.trackerAddresses())),
          new byte[0], "--stale-reads", "cat", "fo", "quorum/k");
      assertEquals(0, cat.exitCode(), cat.toString());
      assertArrayEquals(data, cat.stdout());
      // Without a quorum no tracker can confirm its replica is current.
      MogulException refused = org.junit.jupiter.api.Assertions.assertThrows(MogulException.class,
          () -> linearizable.info("fo", "quorum/k"));
      assertEquals(ErrorReason.UNAVAILABLE, refused.reason(), refused.getMessage());
    } finally {
      paused.forEach(NodeProcess::resume);
    }
    cluster.awaitReady(Duration.ofMinutes(1));
    assertArrayEquals(data, client.get("fo", "quorum/k"));
  }

  private static MogulClient lookupClient(List<String> trackers, boolean staleReads) {
    return MogulClient.builder().trackers(trackers).staleReads(staleReads).callTimeout(Duration.ofSeconds(1))
        .operationTimeout(Duration.ofSeconds(8))
        .retryPolicy(new RetryPolicy(20, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofSeconds(8)))
        .build();
  }

  /** Whether the client's trackers answer that the key exists; false while they cannot answer yet. */
  private static boolean hasKey(MogulClient client, String key) {
    try {
      client.info("fo", key);
      return true;
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.UNKNOWN_KEY && !e.retriable()) {
        throw e;
      }
      return false;
    }
  }
}
