package io.mogul.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mogul.launcher.ProcessCluster;
import io.mogul.meta.request.FeatureLevel;
import io.mogul.client.MogulClient;
import io.mogul.client.PutOptions;
import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.KeySummary;
import io.mogul.proto.ListKeysResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Round trips, listing, bad input and the command line against 3 tracker and 3 datanode processes. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterRoundTripTest {
  private static final long SEED = 4242L;
  @TempDir static Path dir;
  private static ProcessCluster cluster;
  private static MogulClient client;
  private final Random random = new Random(SEED);

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestClusters.start(dir.resolve("cluster"));
    client = cluster.client();
    TestClusters.createDomain(client, "rt", 2);
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

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void blobsOfEverySizeRoundTripWithTwoDurableCopies() {
    for (int size : new int[] {0, 1, 4096, 1024 * 1024 + 1}) {
      byte[] data = bytes(size);
      FileInfo info = client.put("rt", "size/" + size, data);
      assertEquals(size, info.getLength());
      assertEquals(2, info.getLocationsCount(), "copies of " + size + " bytes");
      assertArrayEquals(data, client.get("rt", "size/" + size), "size " + size + " seed " + SEED);
    }
  }

  @Test
  void hundredMebibytesStreamThroughTheCommandLineInSixtyFourMebibytesOfHeap() throws Exception {
    Path source = dir.resolve("big.bin");
    CRC32C crc = new CRC32C();
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(source)) {
      for (int i = 0; i < 100; i++) {
        random.nextBytes(block);
        crc.update(block);
        out.write(block);
      }
    }
    Path copy = dir.resolve("big.out");
    String trackers = String.join(",", cluster.trackerAddresses());
    assertEquals(0, runSmallHeapCli("--trackers", trackers, "put", "rt", "big", source.toString()));
    assertEquals(0, runSmallHeapCli("--trackers", trackers, "get", "rt", "big", copy.toString()));
    assertEquals(Files.size(source), Files.size(copy));
    CRC32C back = new CRC32C();
    try (InputStream in = Files.newInputStream(copy)) {
      int n;
      while ((n = in.read(block)) > 0) {
        back.update(block, 0, n);
      }
    }
    assertEquals(crc.getValue(), back.getValue(), "seed " + SEED);
    assertEquals(2, client.info("rt", "big").getLocationsCount());
  }

  private static int runSmallHeapCli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
        "-cp", System.getProperty("java.class.path"), "io.mogul.cli.Main"));
    command.addAll(List.of(args));
    Path log = dir.resolve("cli-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("mogul " + String.join(" ", args) + " hung; log: " + Files.readString(log));
    }
    if (p.exitValue() != 0) {
      throw new AssertionError("mogul " + String.join(" ", args) + " exited " + p.exitValue() + ": " + Files.readString(log));
    }
    return p.exitValue();
  }

  @Test
  void overwriteReplacesAndDeleteRemoves() {
    byte[] first = bytes(100);
    byte[] second = bytes(5000);
    client.put("rt", "ow", first);
    client.put("rt", "ow", second);
    assertArrayEquals(second, client.get("rt", "ow"));
    client.delete("rt", "ow");
    assertEquals(ErrorReason.UNKNOWN_KEY, assertThrows(MogulException.class, () -> client.get("rt", "ow")).reason());
  }

  @Test
  void aSecondClusterOnTheSameDirectoryIsRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TestClusters.start(dir.resolve("cluster")));
    assertTrue(e.getMessage().contains("already running"), e.getMessage());
    assertEquals(3, cluster.trackers().stream().filter(t -> t.isAlive()).count(), "the running cluster is untouched");
  }

  @Test
  void renameMovesTheContent() {
    byte[] data = bytes(300);
    client.put("rt", "mv/from", data);
    client.rename("rt", "mv/from", "mv/to");
    assertArrayEquals(data, client.get("rt", "mv/to"));
    assertEquals(ErrorReason.UNKNOWN_KEY, assertThrows(MogulException.class, () -> client.info("rt", "mv/from")).reason());
  }

  @Test
  void listingPagesThroughTenThousandKeysWithAPrefix() {
    int n = 10_000;
    List<CompletableFuture<FileInfo>> puts = new ArrayList<>(n);
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
    for (int i = 0; i < n; i++) {
      inFlight.acquireUninterruptibly();
      CompletableFuture<FileInfo> put = client.putAsync("rt", String.format("many/%05d", i), new byte[] {(byte) i},
          PutOptions.DEFAULT);
      put.whenComplete((v, e) -> inFlight.release());
      puts.add(put);
    }
    client.put("rt", "manz", new byte[1]);
    puts.forEach(CompletableFuture::join);
    List<String> keys = new ArrayList<>();
    for (Iterator<KeySummary> it = client.list("rt", "many/"); it.hasNext(); ) {
      keys.add(it.next().getKey());
    }
    assertEquals(n, keys.size());
    for (int i = 0; i < n; i++) {
      assertEquals(String.format("many/%05d", i), keys.get(i));
    }
    ListKeysResponse page = client.listPage("rt", "many/", "many/00099", 50);
    assertEquals(50, page.getKeysCount());
    assertEquals("many/00100", page.getKeys(0).getKey());
    assertFalse(page.getNextAfter().isEmpty());
  }

  @Test
  void fidListingShowsEveryFileWithItsCopiesAndContinuesAfterAGivenFid() throws Exception {
    TestClusters.createDomain(client, "fidlist", 2);
    List<Long> fids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fids.add(client.put("fidlist", "f" + i, bytes(100 + i)).getFid());
    }
    // A page of 2 makes the iterator fetch several pages.
    List<io.mogul.proto.FidSummary> listed = new ArrayList<>();
    try (MogulClient paged = MogulClient.builder().trackers(cluster.trackerAddresses()).listPageSize(2).build()) {
      paged.fids(0).forEachRemaining(f -> {
        if (f.getDomain().equals("fidlist")) {
          listed.add(f);
        }
      });
    }
    assertEquals(fids, listed.stream().map(io.mogul.proto.FidSummary::getFid).toList(), "in fid order");
    for (int i = 0; i < 5; i++) {
      assertEquals("f" + i, listed.get(i).getKey());
      assertEquals(100 + i, listed.get(i).getLength());
      assertEquals(2, listed.get(i).getDeviceIdsCount());
    }

    Path home = Files.createDirectories(dir.resolve("home-fids"));
    Map<String, String> env = Map.of("MOGUL_TRACKERS", String.join(",", cluster.trackerAddresses()));
    String after = Long.toUnsignedString(fids.get(0));
    CliRun json = CliRun.run(home, env, new byte[0], "--json", "admin", "fids", "--after", after);
    assertEquals(0, json.exitCode(), json.toString());
    List<String> keys = new ArrayList<>();
    for (JsonNode f : new ObjectMapper().readTree(json.stdout())) {
      if (f.get("domain").asText().equals("fidlist")) {
        keys.add(f.get("key").asText());
        assertEquals(2, f.get("deviceIds").size(), f.toString());
      }
    }
    assertEquals(List.of("f1", "f2", "f3", "f4"), keys, "every file after the first, in fid order");
    CliRun one = CliRun.run(home, env, new byte[0], "admin", "fids", "--after", after, "-n", "1");
    assertEquals(0, one.exitCode(), one.toString());
    List<String> lines = one.out().lines().toList();
    assertEquals(2, lines.size(), "a header and one file: " + one);
    assertTrue(lines.get(1).trim().startsWith(Long.toUnsignedString(fids.get(1)) + " "), one.toString());
    assertTrue(lines.get(1).endsWith(" f1") && lines.get(1).contains(" fidlist "), one.toString());

    CliRun badFid = CliRun.run(home, env, new byte[0], "admin", "fids", "--after", "twelve");
    assertEquals(ExitCodes.USAGE, badFid.exitCode(), badFid.toString());
    assertTrue(badFid.stderr().contains("--after must be a fid"), badFid.toString());
    CliRun badLimit = CliRun.run(home, env, new byte[0], "admin", "fids", "-n", "-3");
    assertEquals(ExitCodes.USAGE, badLimit.exitCode(), badLimit.toString());
  }

  @Test
  void badInputIsRefusedAndChangesNothing() {
    client.put("rt", "bad/keep", new byte[] {7});
    assertEquals(ErrorReason.UNKNOWN_DOMAIN,
        assertThrows(MogulException.class, () -> client.put("nosuchdomain", "k", new byte[1])).reason());
    assertEquals(ErrorReason.INVALID_NAME,
        assertThrows(MogulException.class, () -> client.put("rt", "k".repeat(1025), new byte[1])).reason());
    assertEquals(ErrorReason.INVALID_ARGUMENT, assertThrows(MogulException.class,
        () -> client.put("rt", "bad/keep", dir.resolve("no-such-file"), PutOptions.DEFAULT)).reason());
    assertEquals(ErrorReason.UNKNOWN_CLASS, assertThrows(MogulException.class,
        () -> client.put("rt", "bad/keep", new byte[2], PutOptions.builder().storageClass("nosuch").build())).reason());
    assertArrayEquals(new byte[] {7}, client.get("rt", "bad/keep"));
    assertEquals(List.of("bad/keep"), keys("bad/"));
  }

  private static List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    client.list("rt", prefix).forEachRemaining(k -> keys.add(k.getKey()));
    return keys;
  }

  @Test
  void commandLineWorksEndToEnd() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home"));
    Map<String, String> env = Map.of("MOGUL_TRACKERS", String.join(",", cluster.trackerAddresses()));
    Path file = Files.write(dir.resolve("cli.txt"), "hello mogul\n".getBytes());

    CliRun put = CliRun.run(home, env, new byte[0], "put", "rt", "cli/hello", file.toString(),
        "--attr", "owner=me", "--content-type", "text/plain");
    assertEquals(0, put.exitCode(), put.toString());
    CliRun cat = CliRun.run(home, env, new byte[0], "cat", "rt", "cli/hello");
    assertEquals("hello mogul\n", cat.out(), cat.toString());
    CliRun stdin = CliRun.run(home, env, "from stdin".getBytes(), "put", "rt", "cli/stdin", "-");
    assertEquals(0, stdin.exitCode(), stdin.toString());
    assertEquals("from stdin", CliRun.run(home, env, new byte[0], "get", "rt", "cli/stdin", "-").out());

    CliRun info = CliRun.run(home, env, new byte[0], "--json", "info", "rt", "cli/hello");
    assertEquals(0, info.exitCode(), info.toString());
    JsonNode json = new ObjectMapper().readTree(info.stdout());
    assertEquals(12, json.get("length").asLong());
    assertEquals("me", json.get("attributes").get("owner").asText());
    assertEquals(2, json.get("locations").size());

    assertEquals(0, CliRun.run(home, env, new byte[0], "mv", "rt", "cli/stdin", "cli/moved").exitCode());
    CliRun ls = CliRun.run(home, env, new byte[0], "ls", "rt", "cli/");
    assertEquals(List.of("cli/hello", "cli/moved"), ls.out().lines().toList(), ls.toString());
    assertEquals(0, CliRun.run(home, env, new byte[0], "rm", "rt", "cli/moved").exitCode());
    assertEquals(ExitCodes.NOT_FOUND, CliRun.run(home, env, new byte[0], "cat", "rt", "cli/moved").exitCode());
    assertEquals(ExitCodes.NOT_FOUND, CliRun.run(home, env, new byte[0], "ls", "nosuchdomain").exitCode());

    CliRun check = CliRun.run(home, env, new byte[0], "admin", "check", "--json");
    assertEquals(0, check.exitCode(), check.toString());
    JsonNode trackers = new ObjectMapper().readTree(check.stdout()).get("trackers");
    assertEquals(3, trackers.size());
    long leaders = 0;
    for (JsonNode t : trackers) {
      leaders += t.get("role").asText().equals("LEADER") ? 1 : 0;
      assertEquals(FeatureLevel.CURRENT, t.get("featureLevel").asInt(), t.toString());
    }
    assertEquals(1, leaders, check.out());

    assertEquals(0, CliRun.run(home, env, new byte[0], "admin", "class", "add", "rt", "three", "--mindevcount", "3").exitCode());
    CliRun classes = CliRun.run(home, env, new byte[0], "admin", "class", "list", "rt");
    assertTrue(classes.out().contains("three"), classes.toString());
    CliRun devices = CliRun.run(home, env, new byte[0], "admin", "device", "list");
    assertEquals(7, devices.out().lines().count(), devices.toString());
    CliRun bench = CliRun.run(home, env, new byte[0], "bench", "--domain", "rt", "-n", "300", "-s", "4096", "-c", "8",
        "--warmup", "50", "--read-passes", "2");
    assertEquals(0, bench.exitCode(), bench.toString());
    List<String> rows = bench.out().lines().map(String::trim).toList();
    for (String phase : List.of("warm-up write  50 ", "warm-up read   100 ", "write          300 ", "read           600 ")) {
      assertTrue(rows.stream().anyMatch(r -> r.replaceAll(" +", " ").startsWith(phase.replaceAll(" +", " "))),
          "no row '" + phase.trim() + "' in " + bench);
    }
    CliRun badWarmup = CliRun.run(home, env, new byte[0], "bench", "--domain", "rt", "-n", "1", "--warmup", "-1");
    assertEquals(ExitCodes.USAGE, badWarmup.exitCode(), badWarmup.toString());
    CliRun noPasses = CliRun.run(home, env, new byte[0], "bench", "--domain", "rt", "-n", "1", "--read-passes", "0");
    assertEquals(ExitCodes.USAGE, noPasses.exitCode(), noPasses.toString());
  }
}
