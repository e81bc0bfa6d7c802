package io.mogul.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.client.MogulClient;
import io.mogul.proto.BlobRef;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.DeviceState;
import io.mogul.proto.Empty;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckLogRequest;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListRequest;
import io.mogul.proto.RaftRole;
import io.mogul.proto.RebalanceOutcome;
import io.mogul.proto.RebalanceStatus;
import io.mogul.proto.SetDeviceStateRequest;
import io.mogul.proto.Setting;
import io.mogul.proto.TrackerGrpc;
import io.mogul.proto.TrackerStatus;
import io.mogul.proto.VerifyResponse;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's background jobs on one shared process cluster (3 trackers, 4 datanodes with
 * one device each, a class keeping 2 copies on distinct hosts): fsck repairing a corrupted
 * copy and re-replication after a dead datanode, both across a leader change; drain; delete
 * and orphan GC; rebalance test and a limited rebalance policy; rebalance by bytes;
 * mindevcount changes; a datanode down longer than the grace period, with client traffic
 * during its re-replication. The tests build on each other's state, in order.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackgroundJobsTest {
  private static final long SEED = 4242L;
  private static final String DOMAIN = "bg";
  private static final int FILES = 150;
  @TempDir static Path dir;
  private static ProcessCluster cluster;
  private static MogulClient client;
  private static final Map<String, byte[]> contents = new LinkedHashMap<>();
  private static final ClusterProbes probes = new ClusterProbes();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ProcessCluster.builder(dir.resolve("cluster")).trackers(3).datanodes(4).devicesPerDatanode(1)
        .reserveBytes(16L * 1024 * 1024)
        .trackerOverrides(List.of("monitor.heartbeatTimeoutMs=3000"))
        .datanodeOverrides(List.of("heartbeatIntervalMs=500"))
        .start(Duration.ofMinutes(2));
    client = cluster.client();
    Files.createDirectories(dir.resolve("home"));
    TestClusters.createDomain(client, DOMAIN, 2);
    Random random = new Random(SEED);
    for (int i = 0; i < FILES; i++) {
      byte[] data = new byte[1024 + random.nextInt(3072)];
      random.nextBytes(data);
      byte[] tag = ("mogul-bg-" + i + "-").getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(tag, 0, data, 0, tag.length);
      contents.put("k" + i, data);
      client.put(DOMAIN, "k" + i, data);
    }
  }

  @AfterAll
  static void stopCluster() {
    probes.close();
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  // ----- fsck

  @Test
  @Order(1)
  void corruptedCopyIsFoundByFsckAndRepairedFromAGoodCopyAcrossALeaderChange() throws Exception {
    String key = "k120";
    FileInfo before = client.info(DOMAIN, key);
    int corrupted = before.getLocations(0).getDeviceId();
    corrupt(before.getLocations(0), contents.get(key));
    CliRun found = cli("info", DOMAIN, key, "--verify");
    assertEquals(ExitCodes.ERROR, found.exitCode(), found.toString());
    assertTrue(found.out().contains("dev" + corrupted + " ") && found.out().contains(": corrupt (data has CRC32C"),
        found.toString());
    assertTrue(found.out().contains("dev" + before.getLocations(1).getDeviceId() + " ")
        && found.out().contains(": good"), found.toString());
    setting("fsck.fids_per_second", "10");
    NodeProcess oldLeader = cluster.leader(); // looked up first: the freeze must land mid-pass
    client.admin(a -> a.fsckStart(Empty.getDefaultInstance()));
    // Followed from the start, through the leader change, until the pass ends.
    CompletableFuture<CliRun> followed = CompletableFuture.supplyAsync(() ->
        cli("admin", "fsck", "log", "--follow"));
    await(Duration.ofSeconds(30), () -> fsck().getFidsChecked() >= 40, () -> "fsck did not get going: " + fsck());
    oldLeader.pause(); // frozen like a hung machine: the others elect a new leader
    try {
      long start = System.nanoTime();
      await(Duration.ofSeconds(60), () -> fsck().getFinished(), () -> "fsck did not finish: " + fsck());
      FsckStatus done = fsck();
      // Finished by a batch the leader prepared after the freeze: the pass was mid-way then.
      long frozenAtMs = System.currentTimeMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(done.getUpdatedMs() > frozenAtMs, "the pass ended before the leader was frozen: " + done);
      System.out.printf("fsck: %d fids finished %d ms after the leader was frozen%n", done.getFidsChecked(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      assertEquals(FILES, done.getFidsChecked(), "every fid checked exactly once: " + done);
      assertEquals(2L * FILES, done.getCopiesChecked(), "every copy checked exactly once: " + done);
      List<FsckLogEntry> log = client.admin(a -> a.getFsckLog(FsckLogRequest.getDefaultInstance())).getEntriesList();
      List<String> codes = log.stream().filter(e -> e.getFid() == before.getFid()).map(FsckLogEntry::getCode).toList();
      assertEquals(1, codes.stream().filter("BCSUM"::equals).count(), "log: " + log);
      assertTrue(codes.contains("REPL"), "log: " + log);
      assertTrue(codes.contains("DROP"), "log: " + log);
      assertTrue(log.stream().filter(e -> e.getFid() != before.getFid()).noneMatch(e -> e.getCode().equals("BCSUM")),
          "only the corrupted fid is bad: " + log);
      FileInfo after = client.info(DOMAIN, key);
      assertEquals(2, after.getLocationsCount(), after.toString());
      assertTrue(after.getLocationsList().stream().noneMatch(l -> l.getDeviceId() == corrupted), after.toString());
      assertDistinctHosts(after);
      for (DeviceLocation l : after.getLocationsList()) {
        VerifyResponse v = datanode(l.getAddress()).verify(BlobRef.newBuilder().setFid(after.getFid())
            .setDeviceId(l.getDeviceId()).build());
        assertTrue(v.getOk() && v.getLength() == contents.get(key).length, "copy on " + l + ": " + v);
      }
      assertArrayEquals(contents.get(key), client.get(DOMAIN, key), "seed " + SEED);
      CliRun follow = followed.get(60, TimeUnit.SECONDS);
      assertEquals(0, follow.exitCode(), follow.toString());
      List<String> lines = follow.out().lines().toList();
      assertEquals(log.size(), lines.size(), "one line per entry: " + follow);
      assertTrue(lines.stream().anyMatch(l -> l.contains("  BCSUM  ") && l.contains(key)), follow.toString());
      CliRun repaired = cli("info", DOMAIN, key, "--verify", "--json");
      assertEquals(ExitCodes.OK, repaired.exitCode(), repaired.toString());
      assertEquals(2, repaired.out().split("\"GOOD\"", -1).length - 1, repaired.toString());
      CliRun cliLog = cli("admin", "fsck", "log");
      assertEquals(0, cliLog.exitCode(), cliLog.toString());
      assertTrue(cliLog.out().contains("BCSUM") && cliLog.out().contains(key), cliLog.toString());
      FsckStatus finished = fsck();
      CliRun clear = cli("admin", "fsck", "clearlog");
      assertEquals(0, clear.exitCode(), clear.toString());
      FsckStatus cleared = fsck();
      assertEquals(0, cleared.getLogEntries(), cleared.toString());
      assertEquals(finished.getFidsChecked(), cleared.getFidsChecked(), cleared.toString());
      assertEquals(finished.getProblems(), cleared.getProblems(), cleared.toString());
      assertTrue(client.admin(a -> a.getFsckLog(FsckLogRequest.getDefaultInstance())).getEntriesList().isEmpty());
    } finally {
      oldLeader.resume();
    }
  }

  // ----- re-replication

  @Test
  @Order(2)
  void deadDatanodeFilesReturnToMindevcountOnDistinctHostsAcrossALeaderChange() throws Exception {
    NodeProcess victim = cluster.datanodes().get(3);
    int dead = devicesOf(victim).get(0);
    long onVictim = device(dead).getFileCount();
    long bytesOnVictim = bytesLocatedOn(dead);
    assertTrue(onVictim > 20, "too few files on the victim: " + onVictim);
    Map<String, TrackerStatus> before = trackerStatuses();
    // Slow enough that the leader change lands in the middle of re-replication.
    long rate = 10_000;
    setting("replication.max_bytes_per_second", Long.toString(rate));
    NodeProcess oldLeader = cluster.leader(); // looked up first: the freeze must land mid-copying
    victim.kill();
    client.admin(a -> a.setDeviceState(SetDeviceStateRequest.newBuilder().setDeviceId(dead)
        .setState(DeviceState.DEVICE_DEAD).build()));
    long start = System.nanoTime();
    await(Duration.ofSeconds(60), () -> device(dead).getFileCount() <= onVictim * 2 / 3,
        () -> "re-replication did not get going: " + device(dead));
    oldLeader.pause();
    try {
      await(Duration.ofSeconds(90), () -> device(dead).getFileCount() == 0,
          () -> "copies left on the dead device: " + device(dead));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("re-replication: %d files (%d bytes) back to 2 copies in %d ms"
          + " (throttled to %d B/s, leader frozen midway)%n", onVictim, bytesOnVictim, ms, rate);
      // Each of the two leaders may start with a second's burst: a lower bound only.
      assertTrue(ms >= (bytesOnVictim * 1000 / rate) - 2_000,
          bytesOnVictim + " bytes copied in " + ms + " ms, faster than " + rate + " B/s allows");
      for (String key : contents.keySet()) {
        FileInfo info = client.info(DOMAIN, key);
        assertEquals(2, info.getLocationsCount(), info.toString());
        assertTrue(info.getLocationsList().stream().noneMatch(l -> l.getDeviceId() == dead), info.toString());
        assertDistinctHosts(info);
      }
      long copies = cluster.devices().stream().filter(d -> d.getState() != DeviceState.DEVICE_DEAD)
          .mapToLong(DeviceInfo::getFileCount).sum();
      assertEquals(2L * FILES, copies, "every file at two copies: " + cluster.devices());
      // The stats' count may be up to UnderReplicatedCount.MAX_AGE_MS (30 s) old.
      await(Duration.ofSeconds(40),
          () -> client.admin(a -> a.getStats(ListRequest.getDefaultInstance())).getUnderReplicated() == 0,
          () -> "stats still count under-replicated files");
    } finally {
      oldLeader.resume();
      setting("replication.max_bytes_per_second", "0");
    }
    // The tallies of copies made, summed over the trackers, show work done twice: the new
    // leader rescans from the first fid and must find the files the old one repaired
    // healthy (surplus trimming would hide a second copy from the file counts above).
    Map<String, TrackerStatus> after = trackerStatuses();
    long byOldLeader = after.get(oldLeader.address()).getRepairCopies()
        - before.get(oldLeader.address()).getRepairCopies();
    long made = 0;
    for (String tracker : after.keySet()) {
      made += after.get(tracker).getRepairCopies() - before.get(tracker).getRepairCopies();
    }
    String tallies = "made " + made + " copies (" + byOldLeader + " by the frozen leader) for " + onVictim
        + " lost; before " + before.values() + ", after " + after.values();
    assertTrue(byOldLeader > 0 && made - byOldLeader > 0,
        "the leader change did not land mid-way (both leaders copy): " + tallies);
    assertTrue(made <= onVictim, "copies made twice: " + tallies);
    // Up to the copy pool's four copies may have committed without the frozen leader seeing it.
    assertTrue(made >= onVictim - 4, "copies not accounted for: " + tallies);
    long trimmed = 0;
    for (String tracker : after.keySet()) {
      trimmed += after.get(tracker).getSurplusCopiesRemoved() - before.get(tracker).getSurplusCopiesRemoved();
    }
    assertEquals(0, trimmed, "surplus copies removed, so some were made twice: " + tallies);
  }

  // ----- drain

  @Test
  @Order(3)
  void drainedDeviceEndsEmptyWithoutAnyFileLosingACopy() throws Exception {
    NodeProcess drained = cluster.datanodes().get(2);
    int device = devicesOf(drained).get(0);
    assertTrue(device(device).getFileCount() > 0);
    Set<Long> held = locatedOn().getOrDefault(device, Set.of());
    client.admin(a -> a.setDeviceState(SetDeviceStateRequest.newBuilder().setDeviceId(device)
        .setState(DeviceState.DEVICE_DRAIN).build()));
    try {
      long start = System.nanoTime();
      await(Duration.ofSeconds(60), () -> {
        for (String key : contents.keySet()) {
          FileInfo info = client.info(DOMAIN, key);
          assertTrue(info.getLocationsCount() >= 2, "a file lost a copy while draining: " + info);
        }
        return device(device).getFileCount() == 0;
      }, () -> "drained device still holds files: " + device(device));
      System.out.printf("drain: device emptied in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      for (String key : contents.keySet()) {
        FileInfo info = client.info(DOMAIN, key);
        assertEquals(2, info.getLocationsCount(), info.toString());
        assertTrue(info.getLocationsList().stream().noneMatch(l -> l.getDeviceId() == device), info.toString());
        assertDistinctHosts(info);
        assertArrayEquals(contents.get(key), client.get(DOMAIN, key), key + ", seed " + SEED);
      }
      // Dropping a moved copy queues its blob for the delete GC in the same log entry.
      // Other blobs there would be orphans of copies interrupted by the leader changes
      // above: the orphan collector's business, checked in the delete GC test.
      await(Duration.ofSeconds(30), () -> fidsOn(drained.address(), device).stream().noneMatch(held::contains),
          () -> "blobs of moved files left on the drained device: " + fidsOn(drained.address(), device));
    } finally {
      // Later tests share the cluster: the device is writable again whatever happened here.
      client.admin(a -> a.setDeviceState(SetDeviceStateRequest.newBuilder().setDeviceId(device)
          .setState(DeviceState.DEVICE_ALIVE).build()));
    }
  }

  // ----- delete GC

  @Test
  @Order(4)
  void deleteGcLeavesNoBlobBehind() throws Exception {
    Set<Long> gone = new HashSet<>();
    List<String> keys = new ArrayList<>(contents.keySet());
    for (String key : keys.subList(0, 30)) {
      gone.add(client.info(DOMAIN, key).getFid());
      client.delete(DOMAIN, key);
      contents.remove(key);
    }
    Random random = new Random(SEED + 1);
    for (String key : keys.subList(30, 45)) {
      gone.add(client.info(DOMAIN, key).getFid());
      byte[] data = new byte[2048];
      random.nextBytes(data);
      client.put(DOMAIN, key, data);
      contents.put(key, data);
    }
    NodeProcess holder = cluster.datanodes().get(0);
    int holderDevice = devicesOf(holder).get(0);
    long orphan = 1L << 40;
    byte[] orphanData = "an orphan blob no tracker knows".getBytes(StandardCharsets.UTF_8);
    probes.writeBlob(holder.address(), holderDevice, orphan, orphanData);
    gone.add(orphan);
    setting("deletion.orphan_grace_seconds", "1");
    long start = System.nanoTime();
    // Every device ends up holding exactly the blobs of its live locations: no blob of a
    // deleted or replaced fid, not the planted orphan, nor an orphan of a copy that a
    // leader change interrupted in the tests before.
    await(Duration.ofSeconds(60), () -> {
      if (client.admin(a -> a.getStats(ListRequest.getDefaultInstance())).getPendingDeletions() != 0) {
        return false;
      }
      return strayBlobs().isEmpty();
    }, () -> "blobs that no live location accounts for are still on the datanodes: " + strayBlobs()
        + " (deleted, replaced or planted: " + gone + ")");
    System.out.printf("delete gc: %d blobs gone in %d ms%n", gone.size(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    for (Map.Entry<String, byte[]> e : contents.entrySet()) {
      assertArrayEquals(e.getValue(), client.get(DOMAIN, e.getKey()), e.getKey() + ", seed " + SEED);
    }
  }

  // ----- rebalance and class changes

  @Test
  @Order(5)
  void rebalanceTestMovesNothingAndAPolicyKeepsARunToItsDevicesAndItsLimit() throws Exception {
    // The drained device came back empty: far outside the spread.
    assertOutsideTheSpread();
    // A test shows the bytes on every device and moves from fuller to emptier ones, and moves nothing.
    Map<Integer, Long> beforeTest = storedBytes();
    CliRun test = cli("--json", "admin", "rebalance", "test", "-n", "5");
    assertEquals(0, test.exitCode(), test.toString());
    JsonNode preview = new ObjectMapper().readTree(test.stdout());
    assertFalse(preview.path("balanced").asBoolean(), test.out());
    double mean = preview.get("meanUsage").asDouble();
    Map<Integer, Double> usage = new HashMap<>();
    for (JsonNode d : preview.get("devices")) {
      int id = d.get("deviceId").asInt();
      assertEquals(beforeTest.get(id), d.get("storedBytes").asLong(), "device " + id + ": " + test.out());
      usage.put(id, d.get("storedBytes").asDouble() / d.get("capacityBytes").asDouble());
    }
    assertEquals(beforeTest.keySet(), usage.keySet(), test.out());
    JsonNode moves = preview.get("moves");
    assertTrue(moves != null && moves.size() >= 1 && moves.size() <= 5, test.out());
    for (JsonNode m : moves) {
      assertTrue(usage.get(m.get("fromDevice").asInt()) > mean && usage.get(m.get("toDevice").asInt()) < mean,
          "move " + m + " does not go from a fuller to an emptier device than the mean " + mean + ": " + usage);
    }
    assertEquals(beforeTest, storedBytes(), "a rebalance test moved files");
    CliRun table = cli("admin", "rebalance", "test");
    assertEquals(0, table.exitCode(), table.toString());
    assertTrue(table.out().startsWith("would move: ") && table.out().contains("FROM"), table.toString());
    assertEquals(ExitCodes.USAGE, cli("admin", "rebalance", "test", "-n", "-1").exitCode());

    // A policy: files may only reach the emptiest device, and a run ends after two files.
    int emptiest = usage.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
    CliRun policy = cli("admin", "rebalance", "policy", "--to-devices",
        Integer.toString(emptiest), "--limit-files", "2");
    assertEquals(0, policy.exitCode(), policy.toString());
    assertTrue(policy.out().contains("rebalance.to_devices") && policy.out().contains("rebalance.limit_files"),
        policy.toString());
    // Bad input is refused before anything is set.
    CliRun refused = cli("admin", "rebalance", "policy", "--limit-files", "5",
        "--to-devices", "x");
    assertEquals(ExitCodes.USAGE, refused.exitCode(), refused.toString());
    CliRun unknown = cli("admin", "rebalance", "policy", "--limit-files", "5",
        "--from-devices", "999");
    assertEquals(ExitCodes.USAGE, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.stderr().contains("no device 999"), unknown.toString());
    assertEquals("2", setting("rebalance.limit_files"));
    JsonNode narrowed = new ObjectMapper().readTree(cli("--json", "admin", "rebalance",
        "test").stdout());
    assertEquals(emptiest, narrowed.get("toDevices").get(0).asInt(), narrowed.toString());
    assertTrue(narrowed.get("moves").size() > 0, narrowed.toString());
    for (JsonNode m : narrowed.get("moves")) {
      assertEquals(emptiest, m.get("toDevice").asInt(), "a move onto a device the policy does not list: " + m);
    }
    assertEquals(0, cli("admin", "rebalance", "start").exitCode());
    await(Duration.ofSeconds(60), () -> {
      RebalanceStatus s = client.admin(a -> a.getRebalanceStatus(ListRequest.getDefaultInstance()));
      return !s.getRunning() && s.getOutcome() != RebalanceOutcome.REBALANCE_OUTCOME_UNSPECIFIED;
    }, () -> "the limited rebalance did not end: " + storedBytes());
    RebalanceStatus limited = client.admin(a -> a.getRebalanceStatus(ListRequest.getDefaultInstance()));
    assertEquals(RebalanceOutcome.REBALANCE_LIMIT_REACHED, limited.getOutcome(), limited.toString());
    assertEquals(2, limited.getMovedFiles(), limited.toString());
    Map<Integer, Long> afterLimited = storedBytes();
    for (Map.Entry<Integer, Long> e : afterLimited.entrySet()) {
      if (e.getKey() == emptiest) {
        assertEquals(beforeTest.get(e.getKey()) + limited.getMovedBytes(), e.getValue(), "the listed device");
      } else {
        assertTrue(e.getValue() <= beforeTest.get(e.getKey()), "device " + e.getKey() + " gained files: " + afterLimited);
      }
    }
    CliRun limitedStatus = cli("admin", "rebalance", "status");
    assertTrue(limitedStatus.out().contains("limit reached"), limitedStatus.toString());
    assertEquals(0, cli("admin", "rebalance", "policy", "--clear").exitCode());
    assertEquals("", setting("rebalance.to_devices"));
    assertEquals("0", setting("rebalance.limit_files"));
  }

  @Test
  @Order(6)
  void rebalanceThroughTheCliEndsBalancedWithEveryDevicesBytesWithinTheSpreadOfTheMean() throws Exception {
    // Two files moved onto the emptied device are far from evening it out.
    assertOutsideTheSpread();
    String defaultRate = setting("rebalance.max_bytes_per_second");
    long rate = 20_000;
    setting("rebalance.max_bytes_per_second", Long.toString(rate));
    long begin = System.nanoTime();
    CliRun start = cli("admin", "rebalance", "start");
    assertEquals(0, start.exitCode(), start.toString());
    try {
      await(Duration.ofSeconds(60), () -> {
        RebalanceStatus s = client.admin(a -> a.getRebalanceStatus(ListRequest.getDefaultInstance()));
        return !s.getRunning() && s.getOutcome() != RebalanceOutcome.REBALANCE_OUTCOME_UNSPECIFIED;
      }, () -> "rebalance did not end: " + storedBytes());
    } finally {
      setting("rebalance.max_bytes_per_second", defaultRate);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    RebalanceStatus done = client.admin(a -> a.getRebalanceStatus(ListRequest.getDefaultInstance()));
    System.out.printf("rebalance: %d files (%d bytes) moved in %d ms (throttled to %d B/s); %s%n",
        done.getMovedFiles(), done.getMovedBytes(), ms, rate, done.getDetail());
    // The moves are paced by rebalance.max_bytes_per_second, with a second's burst: a lower bound only.
    assertTrue(ms >= done.getMovedBytes() * 1000 / rate - 1_000,
        done.getMovedBytes() + " bytes moved in " + ms + " ms, faster than " + rate + " B/s allows");
    assertEquals(RebalanceOutcome.REBALANCE_BALANCED, done.getOutcome(), done.toString());
    assertTrue(done.getFinishedMs() != 0 && done.getMovedFiles() > 0, done.toString());
    // What the job reports is what the files' locations say: every writable device's bytes
    // over its capacity within rebalance.spread_percent (10) percent of the mean usage.
    double after = furthestFromMeanUsagePercent();
    assertTrue(after <= 10, "furthest device " + after + "% off the mean usage: " + storedBytes());
    CliRun status = cli("admin", "rebalance", "status");
    assertEquals(0, status.exitCode(), status.toString());
    assertTrue(status.out().contains("balanced (spread reached)"), status.toString());
    CliRun afterRun = cli("--json", "admin", "rebalance", "test");
    assertEquals(0, afterRun.exitCode(), afterRun.toString());
    JsonNode balanced = new ObjectMapper().readTree(afterRun.stdout());
    assertTrue(balanced.path("balanced").asBoolean() && balanced.path("moves").size() == 0, afterRun.out());
    CliRun json = cli("--json", "admin", "rebalance", "status");
    assertEquals(0, json.exitCode(), json.toString());
    assertTrue(json.out().contains("REBALANCE_BALANCED") && json.out().contains("moved"), json.toString());
    for (Map.Entry<String, byte[]> e : contents.entrySet()) {
      FileInfo info = client.info(DOMAIN, e.getKey());
      assertEquals(2, info.getLocationsCount(), info.toString());
      assertDistinctHosts(info);
      assertArrayEquals(e.getValue(), client.get(DOMAIN, e.getKey()), e.getKey() + ", seed " + SEED);
    }
  }

  @Test
  @Order(7)
  void loweringMindevcountTrimsSurplusCopiesAndRaisingItCopiesAgain() throws Exception {
    TestClusters.createDomain(client, DOMAIN, 1);
    await(Duration.ofSeconds(60), () -> contents.keySet().stream()
        .allMatch(k -> client.info(DOMAIN, k).getLocationsCount() == 1), () -> "surplus copies were not trimmed");
    TestClusters.createDomain(client, DOMAIN, 2);
    await(Duration.ofSeconds(60), () -> contents.keySet().stream()
        .allMatch(k -> client.info(DOMAIN, k).getLocationsCount() == 2), () -> "files did not get a second copy");
    for (Map.Entry<String, byte[]> e : contents.entrySet()) {
      assertDistinctHosts(client.info(DOMAIN, e.getKey()));
      assertArrayEquals(e.getValue(), client.get(DOMAIN, e.getKey()), e.getKey() + ", seed " + SEED);
    }
  }

  // ----- helpers

  private static void corrupt(DeviceLocation location, byte[] content) throws IOException {
    NodeProcess dn = cluster.datanodes().stream().filter(n -> n.address().equals(location.getAddress())).findFirst()
        .orElseThrow();
    Path deviceDir = cluster.baseDir().resolve(dn.name()).resolve("dev" + location.getDeviceId());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(deviceDir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      int at = indexOf(bytes, content);
      if (at >= 0) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
          int offset = at + content.length / 2;
          raf.seek(offset);
          raf.write(bytes[offset] ^ 0x5a);
          raf.getFD().sync();
        }
        return;
      }
    }
    throw new AssertionError("blob bytes not found under " + deviceDir);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static void assertDistinctHosts(FileInfo info) {
    Set<Integer> hosts = new HashSet<>();
    info.getLocationsList().forEach(l -> hosts.add(l.getHostId()));
    assertEquals(info.getLocationsCount(), hosts.size(), "copies share a host: " + info);
  }

  /** The fids each device holds according to the files' own locations. */
  private static Map<Integer, Set<Long>> locatedOn() {
    Map<Integer, Set<Long>> out = new HashMap<>();
    for (String key : contents.keySet()) {
      FileInfo info = client.info(DOMAIN, key);
      info.getLocationsList().forEach(l -> out.computeIfAbsent(l.getDeviceId(), id -> new HashSet<>())
          .add(info.getFid()));
    }
    return out;
  }

  /** Blobs on the live datanodes' devices that are not a live location of a file, by device. */
  private static Map<Integer, List<Long>> strayBlobs() {
    Map<Integer, Set<Long>> located = locatedOn();
    Map<Integer, List<Long>> stray = new LinkedHashMap<>();
    for (NodeProcess dn : liveDatanodes()) {
      for (int id : devicesOf(dn)) {
        Set<Long> expected = located.getOrDefault(id, Set.of());
        List<Long> extra = fidsOn(dn.address(), id).stream().filter(f -> !expected.contains(f)).toList();
        if (!extra.isEmpty()) {
          stray.put(id, extra);
        }
      }
    }
    return stray;
  }

  private static List<NodeProcess> liveDatanodes() {
    return cluster.datanodes().stream().filter(NodeProcess::isAlive).toList();
  }

  private static List<Integer> devicesOf(NodeProcess datanode) {
    return cluster.devices().stream().filter(d -> d.getHostAddress().equals(datanode.address()))
        .map(DeviceInfo::getDeviceId).toList();
  }

  private static DeviceInfo device(int id) {
    return cluster.devices().stream().filter(d -> d.getDeviceId() == id).findFirst().orElseThrow();
  }

  /** Bytes of the files located on each alive, reachable device, from the files' own locations. */
  private static Map<Integer, Long> storedBytes() {
    Map<Integer, Long> bytes = new LinkedHashMap<>();
    cluster.devices().stream().filter(d -> d.getState() == DeviceState.DEVICE_ALIVE && d.getReachable())
        .forEach(d -> bytes.put(d.getDeviceId(), 0L));
    for (String key : contents.keySet()) {
      FileInfo info = client.info(DOMAIN, key);
      for (DeviceLocation l : info.getLocationsList()) {
        bytes.computeIfPresent(l.getDeviceId(), (id, n) -> n + info.getLength());
      }
    }
    return bytes;
  }

  /** How far the device furthest from the mean usage (bytes stored over capacity) is from it, in percent of the mean. */
  private static double furthestFromMeanUsagePercent() {
    Map<Integer, Long> bytes = storedBytes();
    Map<Integer, Long> capacity = new HashMap<>();
    cluster.devices().forEach(d -> capacity.put(d.getDeviceId(), d.getCapacityBytes()));
    double mean = (double) bytes.values().stream().mapToLong(Long::longValue).sum()
        / bytes.keySet().stream().mapToLong(capacity::get).sum();
    double furthest = 0;
    for (Map.Entry<Integer, Long> e : bytes.entrySet()) {
      double usage = (double) e.getValue() / capacity.get(e.getKey());
      furthest = Math.max(furthest, Math.abs(usage - mean) / mean * 100);
    }
    return furthest;
  }

  /** Bytes of the files located on the device, from the files' own locations. */
  private static long bytesLocatedOn(int deviceId) {
    long bytes = 0;
    for (String key : contents.keySet()) {
      FileInfo info = client.info(DOMAIN, key);
      if (info.getLocationsList().stream().anyMatch(l -> l.getDeviceId() == deviceId)) {
        bytes += info.getLength();
      }
    }
    return bytes;
  }

  /** Every tracker's status as it reports it, by client address; waits until all of them answer. */
  private static Map<String, TrackerStatus> trackerStatuses() throws InterruptedException {
    Map<String, TrackerStatus> out = new LinkedHashMap<>();
    await(Duration.ofSeconds(30), () -> {
      ClusterCheck check = client.admin(a -> a.checkCluster(Empty.getDefaultInstance()));
      if (check.getTrackersList().stream().anyMatch(t -> t.getRole() == RaftRole.UNREACHABLE)) {
        return false;
      }
      check.getTrackersList().forEach(t -> out.put(t.getAddress(), t));
      return true;
    }, () -> "a tracker does not answer");
    return out;
  }

  private static FsckStatus fsck() {
    return client.admin(a -> a.getFsckStatus(ListRequest.getDefaultInstance()));
  }

  // ----- a write that ended short

  @Test
  @Order(8)
  void aWriteThatEndedShortIsCopiedUpToMindevcountAtOnce() throws Exception {
    // A client that wrote one copy of two and committed anyway: re-replication must add
    // the second copy even while it rests after clean passes.
    String key = "short-write";
    byte[] data = "committed with one copy of two".getBytes(StandardCharsets.UTF_8);
    ManagedChannel trackerChannel = probes.channel(cluster.trackerAddresses().get(0));
    TrackerGrpc.TrackerBlockingStub tracker = TrackerGrpc.newBlockingStub(trackerChannel)
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    CreateOpenResponse open = tracker.createOpen(CreateOpenRequest.newBuilder().setDomain(DOMAIN).setKey(key)
        .setSizeHint(data.length).build());
    DeviceLocation only = open.getDevices(0);
    probes.writeBlob(only.getAddress(), only.getDeviceId(), open.getFid(), data);
    FileInfo committed = TrackerGrpc.newBlockingStub(trackerChannel).withDeadlineAfter(20, TimeUnit.SECONDS)
        .createClose(CreateCloseRequest.newBuilder().setDomain(DOMAIN).setKey(key).setFid(open.getFid())
            .setLength(data.length).setCrc32C(NeedleFormat.crc(data, 0, data.length)).addDeviceIds(only.getDeviceId()).build());
    assertEquals(1, committed.getLocationsCount());
    await(Duration.ofSeconds(30), () -> client.info(DOMAIN, key).getLocationsCount() == 2,
        () -> "the short write kept one copy: " + client.info(DOMAIN, key));
    assertDistinctHosts(client.info(DOMAIN, key));
    assertArrayEquals(data, client.get(DOMAIN, key));
  }

  // ----- a datanode down too long

  @Test
  @Order(9)
  void filesOfADatanodeDownLongerThanTheGraceAreCopiedAfterItWhileClientsKeepWorking() throws Exception {
    NodeProcess stopped = cluster.datanodes().get(1);
    int device = devicesOf(stopped).get(0);
    Set<String> held = new HashSet<>();
    for (String key : contents.keySet()) {
      if (client.info(DOMAIN, key).getLocationsList().stream().anyMatch(l -> l.getDeviceId() == device)) {
        held.add(key);
      }
    }
    assertTrue(held.size() > 20, "too few files on the datanode: " + held.size());
    long graceMs = 6_000;
    long rate = 40_000;
    long heldBytes = 0;
    for (String key : held) {
      heldBytes += contents.get(key).length;
    }
    setting("replication.unreachable_grace_seconds", Long.toString(graceMs / 1000));
    setting("replication.max_bytes_per_second", Long.toString(rate));
    Random random = new Random(SEED + 9);
    long stoppedAt = System.nanoTime();
    stopped.stop(); // down, not marked dead: its copies count until the grace is over
    try {
      long firstCopyAt = 0; // the end of the scan that first saw a copy: no earlier than the copy
      long firstCopyScanStart = 0;
      long remainingBytesAtFirstCopy = 0;
      long doneAt = 0;
      int clientOps = 0;
      long slowestOpMs = 0;
      long deadline = stoppedAt + TimeUnit.SECONDS.toNanos(90);
      while (doneAt == 0) {
        assertTrue(System.nanoTime() < deadline, "files of the stopped datanode not copied within 90 s; "
            + held.size() + " held, first copy after " + (firstCopyAt - stoppedAt) / 1_000_000 + " ms");
        long now = System.nanoTime();
        List<Long> uncopiedLengths = new ArrayList<>();
        for (String key : held) {
          FileInfo info = client.info(DOMAIN, key);
          long elsewhere = info.getLocationsList().stream().filter(l -> l.getDeviceId() != device).count();
          if (elsewhere < 2) {
            uncopiedLengths.add(info.getLength());
          }
        }
        long scanned = System.nanoTime();
        if (firstCopyAt == 0 && uncopiedLengths.size() < held.size()) {
          firstCopyAt = scanned;
          firstCopyScanStart = now;
          // The copies already paced but not finished (the copy pool holds four) are not ahead of us.
          uncopiedLengths.sort(null);
          remainingBytesAtFirstCopy = uncopiedLengths.subList(0, Math.max(0, uncopiedLengths.size() - 4)).stream()
              .mapToLong(Long::longValue).sum();
        }
        if (uncopiedLengths.isEmpty()) {
          doneAt = scanned; // no earlier than the last copy
        } else if (firstCopyAt != 0) {
          // Client traffic in the middle of re-replication: every call answers promptly.
          byte[] data = new byte[1024 + random.nextInt(2048)];
          random.nextBytes(data);
          String key = "during-" + clientOps;
          long opStart = System.nanoTime();
          client.put(DOMAIN, key, data);
          assertArrayEquals(data, client.get(DOMAIN, key), key + ", seed " + SEED);
          long opMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opStart);
          slowestOpMs = Math.max(slowestOpMs, opMs);
          assertTrue(opMs < 20_000, "a put and get took " + opMs + " ms during re-replication");
          clientOps++;
        } else {
          Thread.sleep(200);
        }
      }
      long graceObservedMs = TimeUnit.NANOSECONDS.toMillis(firstCopyAt - stoppedAt);
      long copyingMs = TimeUnit.NANOSECONDS.toMillis(doneAt - firstCopyScanStart);
      System.out.printf("down too long: %d files, first copy seen %d ms after the stop (grace %d ms), all copied"
          + " %d ms later (throttled to %d B/s); %d client puts and gets meanwhile, slowest %d ms%n", held.size(),
          graceObservedMs, graceMs, copyingMs, rate, clientOps, slowestOpMs);
      assertTrue(graceObservedMs >= graceMs, "copied " + graceObservedMs + " ms after the stop, within the grace");
      assertTrue(copyingMs >= remainingBytesAtFirstCopy * 1000 / rate - 1_000, remainingBytesAtFirstCopy
          + " bytes copied in " + copyingMs + " ms, faster than " + rate + " B/s allows");
      // Lower bounds only. The copies start no earlier than the grace after the last
      // heartbeat was heard plus the 3 s heartbeat timeout (a heartbeat is due every 0.5 s,
      // but a busy disk can delay one), less a second's burst of the throttle.
      long totalMs = TimeUnit.NANOSECONDS.toMillis(doneAt - stoppedAt);
      assertTrue(totalMs >= graceMs + heldBytes * 1000 / rate - 1_000, heldBytes + " bytes copied "
          + totalMs + " ms after the stop: faster than " + rate + " B/s allows after a " + graceMs + " ms grace");
      assertTrue(clientOps > 0, "no client call landed during re-replication");
      for (String key : held) {
        FileInfo info = client.info(DOMAIN, key);
        FileInfo.Builder live = info.toBuilder().clearLocations();
        info.getLocationsList().stream().filter(l -> l.getDeviceId() != device).forEach(live::addLocations);
        assertEquals(2, live.getLocationsCount(), info.toString());
        assertDistinctHosts(live.build());
        assertArrayEquals(contents.get(key), client.get(DOMAIN, key), key + ", seed " + SEED);
      }
    } finally {
      setting("replication.unreachable_grace_seconds", "900");
      setting("replication.max_bytes_per_second", "0");
    }
  }

  private static void setting(String name, String value) {
    client.admin(a -> a.setSetting(Setting.newBuilder().setName(name).setValue(value).build()));
  }

  /** Runs {@code mogul} in-process against the cluster's trackers, with nothing on its input. */
  private static CliRun cli(String... args) {
    return CliRun.run(dir.resolve("home"), Map.of("MOGUL_TRACKERS", String.join(",", cluster.trackerAddresses())),
        new byte[0], args);
  }

  /** Some writable device is further than rebalance's spread (10% of the mean usage) from the mean. */
  private static void assertOutsideTheSpread() {
    double furthest = furthestFromMeanUsagePercent();
    assertTrue(furthest > 10, "expected an uneven start, furthest device " + furthest + "% off the mean: "
        + storedBytes());
  }

  private static String setting(String name) {
    return client.admin(a -> a.listSettings(ListRequest.getDefaultInstance())).getSettingsList().stream()
        .filter(st -> st.getName().equals(name)).findFirst().orElseThrow().getValue();
  }

  private static DataNodeGrpc.DataNodeBlockingStub datanode(String address) {
    return probes.datanode(address);
  }

  private static List<Long> fidsOn(String address, int deviceId) {
    return probes.fidsOn(address, deviceId);
  }

  private static void await(Duration timeout, BooleanSupplier condition, Supplier<String> failure)
      throws InterruptedException {
    ClusterProbes.await(timeout, condition, failure, SEED);
  }
}
