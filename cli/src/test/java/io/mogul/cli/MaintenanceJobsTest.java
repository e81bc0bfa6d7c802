package io.mogul.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mogul.client.MogulClient;
import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.proto.BlobRef;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FsckLogEntry;
import io.mogul.proto.FsckLogRequest;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListRequest;
import io.mogul.proto.Setting;
import io.mogul.proto.TrackerGrpc;
import io.mogul.proto.VerifyResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating the leader's maintenance jobs on one shared process cluster (1 tracker, 3
 * datanodes with one device each, a class keeping 2 copies on distinct hosts): fsck driven
 * through the command line, fsck finding a missing and a wrong-length copy, a drain device
 * reported empty, the blobs of an expired upload and of files deleted while their datanode
 * was down removed. The tests build on each other's state, in order.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceJobsTest {
  private static final long SEED = 5151L;
  private static final String DOMAIN = "mj";
  private static final int FILES = 60;
  /** Longer than a write to a device marked alive again may wait for its datanode to hear so. */
  private static final long UPLOAD_EXPIRY_SECONDS = 12;
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  private static ProcessCluster cluster;
  private static MogulClient client;
  private static final Map<String, byte[]> contents = new LinkedHashMap<>();
  private static final ClusterProbes probes = new ClusterProbes();

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = ProcessCluster.builder(dir.resolve("cluster")).trackers(1).datanodes(3).devicesPerDatanode(1)
        .reserveBytes(16L * 1024 * 1024)
        .trackerOverrides(List.of("monitor.heartbeatTimeoutMs=3000",
            "uploads.expirySeconds=" + UPLOAD_EXPIRY_SECONDS, "uploads.expiryCheckSeconds=1"))
        .datanodeOverrides(List.of("heartbeatIntervalMs=500"))
        .start(Duration.ofMinutes(2));
    client = cluster.client();
    Files.createDirectories(dir.resolve("home"));
    TestClusters.createDomain(client, DOMAIN, 2);
    Random random = new Random(SEED);
    for (int i = 0; i < FILES; i++) {
      byte[] data = new byte[1024 + random.nextInt(2048)];
      random.nextBytes(data);
      contents.put("m" + i, data);
      client.put(DOMAIN, "m" + i, data);
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

  // ----- fsck from the command line

  @Test
  @Order(1)
  void fsckIsStartedStoppedResumedAndResetFromTheCommandLine() throws Exception {
    CliRun never = cli("admin", "fsck", "status");
    assertEquals(ExitCodes.OK, never.exitCode(), never.toString());
    assertState("never run", never);
    // Three fids a second: the pass takes about twenty seconds, time for the commands below.
    setting("fsck.fids_per_second", "3");
    CliRun start = cli("admin", "fsck", "start");
    assertEquals(ExitCodes.OK, start.exitCode(), start.toString());
    assertState("running", start);
    await(Duration.ofSeconds(60), () -> {
      JsonNode s = status();
      assertTrue(s.path("running").asBoolean(), "the pass ended before it was stopped: " + s);
      return s.path("fidsChecked").asLong() >= 20;
    }, () -> "fsck did not get going: " + status());
    CliRun stop = cli("admin", "fsck", "stop");
    assertEquals(ExitCodes.OK, stop.exitCode(), stop.toString());
    assertState("stopped", stop);
    JsonNode stopped = status();
    long checked = stopped.path("fidsChecked").asLong();
    String cursor = stopped.path("cursor").asText();
    assertFalse(stopped.path("running").asBoolean() || stopped.path("finished").asBoolean(), stopped.toString());
    assertTrue(checked >= 20 && checked < FILES, "stopped midway: " + stopped);
    assertNotEquals("0", cursor, stopped.toString());
    assertTrue(stop.out().contains(cursor), "stop shows where it stopped: " + stop);
    // A batch under way when the stop landed is refused: what status shows stays put.
    CliRun stillStopped = cli("admin", "fsck", "status");
    assertEquals(ExitCodes.OK, stillStopped.exitCode(), stillStopped.toString());
    assertState("stopped", stillStopped);
    assertTrue(field("fids checked", stillStopped).equals(Long.toString(checked)), stillStopped.toString());
    assertTrue(field("cursor (last fid checked)", stillStopped).equals(cursor), stillStopped.toString());

    CliRun resume = cli("admin", "fsck", "start");
    assertEquals(ExitCodes.OK, resume.exitCode(), resume.toString());
    assertState("running", resume);
    assertEquals(Long.toString(checked), field("fids checked", resume), "resumed with its counters: " + resume);
    assertEquals(cursor, field("cursor (last fid checked)", resume), "resumed at its cursor: " + resume);
    await(Duration.ofSeconds(60), () -> {
      JsonNode s = status();
      assertTrue(s.path("fidsChecked").asLong() >= checked, "the resumed pass started over: " + s);
      return s.path("finished").asBoolean();
    }, () -> "fsck did not finish: " + status());
    JsonNode finished = status();
    // Every fid checked exactly once over the two runs: the second went on from the cursor.
    assertEquals(FILES, finished.path("fidsChecked").asLong(), finished.toString());
    assertEquals(2L * FILES, finished.path("copiesChecked").asLong(), finished.toString());
    assertEquals(stopped.path("startedMs").asLong(), finished.path("startedMs").asLong(),
        "one pass, resumed: " + finished);
    assertEquals(0, finished.path("problems").asLong(), finished.toString());
    CliRun done = cli("admin", "fsck", "status");
    assertState("finished", done);
    assertEquals(Integer.toString(FILES), field("fids checked", done), done.toString());

    CliRun reset = cli("admin", "fsck", "reset");
    assertEquals(ExitCodes.OK, reset.exitCode(), reset.toString());
    assertState("never run", reset);
    JsonNode cleared = status();
    assertEquals(0, cleared.path("fidsChecked").asLong(), cleared.toString());
    assertEquals(0, cleared.path("copiesChecked").asLong(), cleared.toString());
    assertEquals("0", cleared.path("cursor").asText(), cleared.toString());
    assertEquals(0, cleared.path("startedMs").asLong(), cleared.toString());
    assertFalse(cleared.path("running").asBoolean() || cleared.path("finished").asBoolean(), cleared.toString());

    CliRun unknown = cli("admin", "fsck", "pause");
    assertEquals(ExitCodes.USAGE, unknown.exitCode(), unknown.toString());
  }

  // ----- fsck findings

  @Test
  @Order(2)
  void fsckFindsAMissingAndAWrongLengthCopyAndCopiesBothFromTheirGoodCopy() throws Exception {
    String missingKey = "m7";
    String shortKey = "m31";
    FileInfo missing = client.info(DOMAIN, missingKey);
    FileInfo shortened = client.info(DOMAIN, shortKey);
    DeviceLocation lost = missing.getLocations(0);
    DeviceLocation cut = shortened.getLocations(0);
    datanode(lost.getAddress()).delete(blob(missing.getFid(), lost.getDeviceId()));
    // The wrong-length copy: the blob replaced by the first half of the file's bytes.
    byte[] half = Arrays.copyOf(contents.get(shortKey), contents.get(shortKey).length / 2);
    datanode(cut.getAddress()).delete(blob(shortened.getFid(), cut.getDeviceId()));
    probes.writeBlob(cut.getAddress(), cut.getDeviceId(), shortened.getFid(), half);
    assertFalse(datanode(lost.getAddress()).verify(blob(missing.getFid(), lost.getDeviceId())).getExists());
    assertEquals(half.length, datanode(cut.getAddress()).verify(blob(shortened.getFid(), cut.getDeviceId()))
        .getLength());

    setting("fsck.fids_per_second", "0");
    CliRun start = cli("admin", "fsck", "start");
    assertEquals(ExitCodes.OK, start.exitCode(), start.toString());
    await(Duration.ofSeconds(60), () -> status().path("finished").asBoolean(),
        () -> "fsck did not finish: " + status());
    JsonNode finished = status();
    assertEquals(FILES, finished.path("fidsChecked").asLong(), finished.toString());
    assertEquals(2, finished.path("problems").asLong(), "one problem each: " + finished);
    List<FsckLogEntry> log = client.admin(a -> a.getFsckLog(FsckLogRequest.getDefaultInstance())).getEntriesList();
    assertEquals(List.of("MISS:" + lost.getDeviceId(), "REPL", "DROP:" + lost.getDeviceId()),
        codes(log, missing.getFid()), "log: " + log);
    assertEquals(List.of("BLEN:" + cut.getDeviceId(), "REPL", "DROP:" + cut.getDeviceId()),
        codes(log, shortened.getFid()), "log: " + log);
    assertTrue(log.stream().filter(e -> e.getCode().equals("BLEN")).allMatch(e -> e.getDetail()
        .contains("length " + half.length)), "log: " + log);
    CliRun cliLog = cli("admin", "fsck", "log");
    assertEquals(ExitCodes.OK, cliLog.exitCode(), cliLog.toString());
    assertTrue(cliLog.out().contains("MISS") && cliLog.out().contains("BLEN"), cliLog.toString());

    for (String key : List.of(missingKey, shortKey)) {
      FileInfo repaired = client.info(DOMAIN, key);
      int bad = (key.equals(missingKey) ? lost : cut).getDeviceId();
      assertEquals(2, repaired.getLocationsCount(), repaired.toString());
      assertTrue(repaired.getLocationsList().stream().noneMatch(l -> l.getDeviceId() == bad), repaired.toString());
      assertNotEquals(repaired.getLocations(0).getHostId(), repaired.getLocations(1).getHostId(),
          repaired.toString());
      for (DeviceLocation l : repaired.getLocationsList()) {
        VerifyResponse v = datanode(l.getAddress()).verify(blob(repaired.getFid(), l.getDeviceId()));
        assertTrue(v.getOk() && v.getLength() == contents.get(key).length, "copy on " + l + ": " + v);
      }
      assertArrayEquals(contents.get(key), client.get(DOMAIN, key), key + ", seed " + SEED);
    }
    // Dropping the wrong-length location queued its blob for the delete GC.
    await(Duration.ofSeconds(30), () -> !fidsOn(cut.getAddress(), cut.getDeviceId()).contains(shortened.getFid()),
        () -> "the wrong-length blob stayed on dev" + cut.getDeviceId());
  }

  // ----- drain

  @Test
  @Order(3)
  void aDrainDeviceIsReportedEmptyOnlyOnceItsFilesHaveMovedOff() throws Exception {
    NodeProcess drained = cluster.datanodes().get(2);
    int device = devicesOf(drained).get(0);
    long held = device(device).getFileCount();
    assertTrue(held > 10, "too few files on the device: " + held);
    // Slow enough (a few seconds for its files) that the device is seen draining but not empty.
    setting("replication.max_bytes_per_second", "5000");
    try {
      CliRun mark = cli("admin", "device", "mark", Integer.toString(device), "drain");
      assertEquals(ExitCodes.OK, mark.exitCode(), mark.toString());
      assertTrue(stateOf(device, mark).equals("drain"), "marked while it holds files: " + mark);
      JsonNode draining = deviceJson(device);
      assertTrue(draining.path("fileCount").asLong() > 0, draining.toString());
      assertFalse(draining.path("drained").asBoolean(), "reported drained while holding files: " + draining);
      CliRun list = cli("admin", "device", "list");
      assertEquals(ExitCodes.OK, list.exitCode(), list.toString());
      assertEquals("drain", stateOf(device, list), list.toString());

      await(Duration.ofSeconds(60), () -> deviceJson(device).path("drained").asBoolean(),
          () -> "the drain was not reported done: " + deviceJson(device));
      JsonNode empty = deviceJson(device);
      assertEquals(0, empty.path("fileCount").asLong(), empty.toString());
      assertEquals("DEVICE_DRAIN", empty.path("state").asText(), empty.toString());
      CliRun done = cli("admin", "device", "list");
      assertEquals(ExitCodes.OK, done.exitCode(), done.toString());
      assertEquals("drain (empty)", stateOf(device, done), done.toString());
      for (DeviceInfo other : cluster.devices()) {
        if (other.getDeviceId() != device) {
          assertEquals("alive", stateOf(other.getDeviceId(), done), done.toString());
          assertFalse(deviceJson(other.getDeviceId()).path("drained").asBoolean(), "not draining: " + done);
        }
      }
      for (Map.Entry<String, byte[]> e : contents.entrySet()) {
        FileInfo info = client.info(DOMAIN, e.getKey());
        assertEquals(2, info.getLocationsCount(), info.toString());
        assertTrue(info.getLocationsList().stream().noneMatch(l -> l.getDeviceId() == device), info.toString());
      }
    } finally {
      // Later tests share the cluster: the device is writable again whatever happened here.
      CliRun alive = cli("admin", "device", "mark", Integer.toString(device), "alive");
      assertEquals(ExitCodes.OK, alive.exitCode(), alive.toString());
      setting("replication.max_bytes_per_second", "0");
    }
    assertFalse(deviceJson(device).path("drained").asBoolean(), "alive again: " + deviceJson(device));
  }

  // ----- delete GC

  @Test
  @Order(4)
  void anUploadThatExpiresUnclosedHasItsBlobsRemovedFromTheDatanodes() throws Exception {
    byte[] data = "written to every offered device, never closed".getBytes(StandardCharsets.UTF_8);
    TrackerGrpc.TrackerBlockingStub tracker = TrackerGrpc.newBlockingStub(probes.channel(cluster.trackerAddresses().get(0)))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    CreateOpenResponse open = tracker.createOpen(CreateOpenRequest.newBuilder().setDomain(DOMAIN).setKey("abandoned")
        .setSizeHint(data.length).build());
    List<DeviceLocation> written = open.getDevicesList().subList(0, 2);
    for (DeviceLocation l : written) {
      // A device marked alive again takes blobs once its datanode has heard so in a heartbeat.
      await(Duration.ofSeconds(10), () -> probes.writeBlob(l.getAddress(), l.getDeviceId(), open.getFid(), data) != null,
          () -> "dev" + l.getDeviceId() + " refused the blob");
      assertTrue(fidsOn(l.getAddress(), l.getDeviceId()).contains(open.getFid()), l.toString());
    }
    // The orphan collector waits a day (the default grace): only the expiry can remove them.
    await(Duration.ofSeconds(30 + UPLOAD_EXPIRY_SECONDS), () -> written.stream()
        .noneMatch(l -> fidsOn(l.getAddress(), l.getDeviceId()).contains(open.getFid())),
        () -> "blobs of the expired upload left on " + written);
    await(Duration.ofSeconds(30), () -> pendingDeletions() == 0, () -> pendingDeletions() + " deletions pending");
    assertEquals(0, client.admin(a -> a.getStats(ListRequest.getDefaultInstance())).getOpenUploads());
  }

  @Test
  @Order(5)
  void blobsOfFilesDeletedWhileTheirDatanodeWasDownAreRemovedOnceItIsBack() throws Exception {
    NodeProcess down = cluster.datanodes().get(1);
    int device = devicesOf(down).get(0);
    Map<Long, DeviceLocation> otherCopies = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>();
    for (String key : contents.keySet()) {
      FileInfo info = client.info(DOMAIN, key);
      if (keys.size() < 10 && info.getLocationsList().stream().anyMatch(l -> l.getDeviceId() == device)) {
        keys.add(key);
        info.getLocationsList().stream().filter(l -> l.getDeviceId() != device)
            .forEach(l -> otherCopies.put(info.getFid(), l));
      }
    }
    assertEquals(10, keys.size(), "files on dev" + device);
    down.stop();
    try {
      await(Duration.ofSeconds(30), () -> !device(device).getReachable(), () -> "still reachable: " + device(device));
      for (String key : keys) {
        client.delete(DOMAIN, key);
        contents.remove(key);
      }
      await(Duration.ofSeconds(30), () -> otherCopies.entrySet().stream().noneMatch(e ->
          fidsOn(e.getValue().getAddress(), e.getValue().getDeviceId()).contains(e.getKey())),
          () -> "copies on the live datanodes not deleted");
      // Queued until the device that holds the other copies confirms.
      assertEquals(keys.size(), pendingDeletions(), "deletions waiting for dev" + device);
    } finally {
      down.start();
    }
    await(Duration.ofSeconds(60), () -> device(device).getReachable() && pendingDeletions() == 0,
        () -> pendingDeletions() + " deletions pending, " + device(device));
    List<Long> left = fidsOn(down.address(), device).stream().filter(otherCopies::containsKey).toList();
    assertEquals(List.of(), left, "blobs of deleted files left on dev" + device);
    for (Map.Entry<String, byte[]> e : contents.entrySet()) {
      assertArrayEquals(e.getValue(), client.get(DOMAIN, e.getKey()), e.getKey() + ", seed " + SEED);
    }
  }

  // ----- helpers

  /** The codes (with the device for findings about one copy) logged for {@code fid}, in order. */
  private static List<String> codes(List<FsckLogEntry> log, long fid) {
    return log.stream().filter(e -> e.getFid() == fid)
        .map(e -> e.getCode().equals("REPL") ? "REPL" : e.getCode() + ":" + e.getDeviceId()).toList();
  }

  private static void assertState(String state, CliRun run) {
    assertEquals(state, field("state", run), run.toString());
  }

  /** A {@code name: value} line of a command's plain output. */
  private static String field(String name, CliRun run) {
    return run.out().lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).trim())
        .findFirst().orElseThrow(() -> new AssertionError("no " + name + " in " + run));
  }

  /** The STATE column of {@code device}'s row in a device table. */
  private static String stateOf(int device, CliRun run) {
    List<String> lines = run.out().lines().toList();
    int from = lines.get(0).indexOf("STATE");
    int to = lines.get(0).indexOf("WEIGHT");
    return lines.stream().filter(l -> l.startsWith("dev" + device + " ")).map(l -> l.substring(from, to).trim())
        .findFirst().orElseThrow(() -> new AssertionError("no dev" + device + " in " + run));
  }

  private static JsonNode deviceJson(int device) {
    CliRun run = cli("--json", "admin", "device", "list");
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    try {
      for (JsonNode d : JSON.readTree(run.stdout())) {
        if (d.path("deviceId").asInt() == device) {
          return d;
        }
      }
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + run, e);
    }
    throw new AssertionError("no dev" + device + " in " + run);
  }

  private static JsonNode status() {
    CliRun run = cli("--json", "admin", "fsck", "status");
    assertEquals(ExitCodes.OK, run.exitCode(), run.toString());
    try {
      return JSON.readTree(run.stdout());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + run, e);
    }
  }

  private static long pendingDeletions() {
    return client.admin(a -> a.getStats(ListRequest.getDefaultInstance())).getPendingDeletions();
  }

  private static List<Integer> devicesOf(NodeProcess datanode) {
    return cluster.devices().stream().filter(d -> d.getHostAddress().equals(datanode.address()))
        .map(DeviceInfo::getDeviceId).toList();
  }

  private static DeviceInfo device(int id) {
    return cluster.devices().stream().filter(d -> d.getDeviceId() == id).findFirst().orElseThrow();
  }

  private static BlobRef blob(long fid, int device) {
    return BlobRef.newBuilder().setFid(fid).setDeviceId(device).build();
  }

  private static void setting(String name, String value) {
    client.admin(a -> a.setSetting(Setting.newBuilder().setName(name).setValue(value).build()));
  }

  /** Runs {@code mogul} in-process against the cluster's tracker, with nothing on its input. */
  private static CliRun cli(String... args) {
    return CliRun.run(dir.resolve("home"), Map.of("MOGUL_TRACKERS", String.join(",", cluster.trackerAddresses())),
        new byte[0], args);
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
