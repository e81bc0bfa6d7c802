package io.mogul.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.KeySummary;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Client behaviour against in-process fake trackers and datanodes. */
@Timeout(60)
class MogulClientTest {
  private static final long SEED = 20261121L;
  private final Random random = new Random(SEED);
  private final List<FakeDatanode> datanodes = new ArrayList<>();
  private FakeTracker tracker;
  private MogulClient client;

  @BeforeEach
  void start() throws Exception {
    tracker = new FakeTracker();
    for (int i = 1; i <= 3; i++) {
      FakeDatanode dn = new FakeDatanode();
      datanodes.add(dn);
      tracker.addDevice(i, dn.address());
    }
    client = client(true, tracker.address());
  }

  private MogulClient client(boolean batching, String... trackers) {
    return MogulClient.builder().trackers(List.of(trackers)).batching(batching)
        .chunkBytes(64 * 1024).smallBlobBytes(64 * 1024)
        .retryPolicy(new RetryPolicy(6, Duration.ofMillis(5), Duration.ofMillis(50)))
        .operationTimeout(Duration.ofSeconds(20)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    tracker.close();
    datanodes.forEach(FakeDatanode::close);
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  @Test
  void smallAndStreamedBlobsRoundTripWithTwoCopies() {
    for (int size : new int[] {0, 1, 4096, 64 * 1024, 64 * 1024 + 1, 700_001}) {
      byte[] data = randomBytes(size);
      FileInfo info = client.put("d", "k" + size, data);
      assertEquals(size, info.getLength(), "seed " + SEED);
      assertEquals(2, tracker.closes.get(tracker.closes.size() - 1).getDeviceIdsCount());
      assertArrayEquals(data, client.get("d", "k" + size), "size " + size + " seed " + SEED);
    }
  }

  @Test
  void aSmallPutTakesItsBytesWhenItStartsSoChangingTheArrayAfterwardsChangesNothing() {
    byte[] data = randomBytes(60_000); // within the client's small-blob size (64 KiB here)
    byte[] original = data.clone();
    CompletableFuture<FileInfo> put = client.putAsync("d", "k", data, PutOptions.DEFAULT);
    java.util.Arrays.fill(data, (byte) 0); // while the put is still under way
    assertEquals(original.length, put.join().getLength());
    assertArrayEquals(original, client.get("d", "k"), "seed " + SEED);
  }

  @Test
  void fileAndUnknownLengthStreamRoundTrip(@TempDir Path dir) throws Exception {
    byte[] data = randomBytes(300_000);
    Path file = dir.resolve("in");
    Files.write(file, data);
    client.put("d", "file", file, PutOptions.DEFAULT);
    client.put("d", "stream", new ByteArrayInputStream(data), PutOptions.DEFAULT);
    Path out = dir.resolve("out");
    assertEquals(data.length, client.get("d", "file", out));
    assertArrayEquals(data, Files.readAllBytes(out));
    assertArrayEquals(data, client.get("d", "stream"));
    assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 1500), client.get("d", "stream", 1000, 500));
  }

  @Test
  void notLeaderTrackerIsSkipped() throws Exception {
    try (FakeTracker follower = new FakeTracker()) {
      follower.notLeader = true;
      client.close();
      client = client(false, follower.address(), tracker.address());
      client.put("d", "k", randomBytes(10));
      assertEquals(1, follower.calls.get());
      assertEquals(1, tracker.closes.size());
      assertEquals(10, client.info("d", "k").getLength());
      // The client now sticks to the tracker that answered.
      assertEquals(1, follower.calls.get());
    }
  }

  @Test
  void callsFollowAFollowersLeaderHintStraightToTheLeader() throws Exception {
    try (FakeTracker follower = new FakeTracker()) {
      // The follower answers (as by forwarding) and names the leader.
      follower.leaderHint = tracker.address();
      client.close();
      client = client(false, follower.address(), tracker.address());
      client.listPage("d", "", "", 10);
      int followerCalls = follower.calls.get();
      assertEquals(1, followerCalls, "the first call went to the follower");
      for (int i = 0; i < 5; i++) {
        client.put("d", "k" + i, randomBytes(10));
      }
      assertEquals(followerCalls, follower.calls.get(), "later calls went straight to the leader");
      assertEquals(5, tracker.closes.size());
    }
  }

  @Test
  void aLeaderHintNamingAnUnknownAddressIsIgnored() throws Exception {
    tracker.leaderHint = "127.0.0.1:1";
    client.put("d", "k", randomBytes(10));
    client.put("d", "k2", randomBytes(10));
    assertEquals(2, tracker.closes.size(), "the client stays on the tracker it knows");
  }

  @Test
  void failoverKeepsRotatingThroughEveryLeaderChange() throws Exception {
    try (FakeTracker a = new FakeTracker(); FakeTracker b = new FakeTracker()) {
      List<FakeTracker> all = List.of(a, b, tracker);
      for (FakeTracker t : List.of(a, b)) {
        for (int i = 0; i < datanodes.size(); i++) {
          t.addDevice(i + 1, datanodes.get(i).address());
        }
      }
      client.close();
      client = client(false, a.address(), b.address(), tracker.address());
      // The leader moves round the group several times; each put must find it.
      for (int round = 0; round < 7; round++) {
        FakeTracker leader = all.get(round % 3);
        all.forEach(t -> t.notLeader = t != leader);
        int before = leader.closes.size();
        client.put("d", "k" + round, randomBytes(10));
        assertEquals(before + 1, leader.closes.size(), "round " + round);
      }
    }
  }

  @Test
  void staleReadsSpreadOverEveryTrackerWhileWritesStayWithTheLeader() throws Exception {
    try (FakeTracker a = new FakeTracker(); FakeTracker b = new FakeTracker()) {
      a.notLeader = true;
      b.notLeader = true;
      client.close();
      client = MogulClient.builder().trackers(List.of(a.address(), b.address(), tracker.address()))
          .retryPolicy(new RetryPolicy(6, Duration.ofMillis(5), Duration.ofMillis(50)))
          .operationTimeout(Duration.ofSeconds(20)).staleReads(true).build();
      byte[] data = randomBytes(100);
      client.put("d", "k", data);
      // The followers' replicas have caught up with the write.
      a.files.put("k", tracker.files.get("k"));
      b.files.put("k", tracker.files.get("k"));
      for (int i = 0; i < 6; i++) {
        assertEquals(100, client.info("d", "k").getLength());
        assertArrayEquals(data, client.get("d", "k"));
        assertEquals(1, client.listPage("d", "", "", 10).getKeysCount());
      }
      for (FakeTracker t : List.of(a, b, tracker)) {
        assertTrue(t.staleReads.get() >= 3, t.address() + " answered " + t.staleReads.get() + " of 18 lookups");
      }
      assertEquals(18, a.staleReads.get() + b.staleReads.get() + tracker.staleReads.get());
      // The spread lookups did not move the writes off the leader the first put found.
      int aCalls = a.calls.get() - a.staleReads.get();
      int bCalls = b.calls.get() - b.staleReads.get();
      client.put("d", "k2", data);
      assertEquals(aCalls, a.calls.get() - a.staleReads.get());
      assertEquals(bCalls, b.calls.get() - b.staleReads.get());
      assertEquals(2, tracker.closes.size());
    }
  }

  @Test
  void lookupsAreLinearizableUnlessStaleReadsAreAllowed() {
    client.put("d", "k", randomBytes(10));
    client.info("d", "k");
    client.get("d", "k");
    client.listPage("d", "", "", 10);
    assertEquals(0, tracker.staleReads.get());
  }

  @Test
  void closingTheClientEndsEveryCallStillWaitingToRetry() throws Exception {
    byte[] data = randomBytes(10);
    client.put("d", "k", data);
    client.close();
    client = MogulClient.builder().trackers(List.of(tracker.address()))
        .retryPolicy(new RetryPolicy(1000, Duration.ofMillis(300), Duration.ofSeconds(1), Duration.ofSeconds(50)))
        .operationTimeout(Duration.ofSeconds(50)).build();
    // Every call is now refused retriably, so each waits for its next attempt.
    tracker.notLeader = true;
    int before = tracker.calls.get();
    List<CompletableFuture<?>> calls = List.of(
        client.putAsync("d", "k2", data, PutOptions.DEFAULT),
        client.getAsync("d", "k"),
        client.deleteAsync("d", "k"),
        CompletableFuture.supplyAsync(() -> client.info("d", "k")));
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (tracker.calls.get() < before + calls.size() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(tracker.calls.get() >= before + calls.size(), "not every call reached the tracker");
    client.close();
    for (CompletableFuture<?> call : calls) {
      java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> call.get(5, java.util.concurrent.TimeUnit.SECONDS));
      MogulException m = MogulException.from(e.getCause());
      assertEquals(ErrorReason.UNAVAILABLE, m.reason(), m.getMessage());
      assertTrue(m.getMessage().contains("closed"), m.getMessage());
    }
    assertThrows(MogulException.class, () -> client.info("d", "k"), "a call after close fails at once");
  }

  @Test
  void readsSkipABrokenTrackerButWritesDoNotRetryInternalErrors() throws Exception {
    try (FakeTracker broken = new FakeTracker()) {
      broken.broken = true;
      byte[] data = randomBytes(10);
      client.put("d", "k", data);
      client.close();
      client = client(false, broken.address(), tracker.address());
      // A write is not repeated elsewhere after an error that may have been half applied.
      assertEquals(ErrorReason.INTERNAL,
          assertThrows(MogulException.class, () -> client.delete("d", "k")).reason());
      assertTrue(tracker.files.containsKey("k"));
      assertArrayEquals(data, client.get("d", "k"));
      assertEquals(10, client.info("d", "k").getLength());
    }
  }

  @Test
  void failedCopyIsRewrittenToASpareDevice() {
    tracker.spares = 1;
    datanodes.get(0).failWrites = true;
    byte[] data = randomBytes(200_000);
    client.put("d", "k", data);
    assertEquals(List.of(2, 3), tracker.closes.get(0).getDeviceIdsList().stream().sorted().toList());
    assertEquals(1, tracker.opens.size());
    assertArrayEquals(data, client.get("d", "k"));
  }

  @Test
  void smallCopyToADatanodeWhoseSharedStreamBrokeIsRewrittenToASpare() {
    tracker.spares = 1;
    client.put("d", "warm", randomBytes(100));   // opens the shared write streams
    datanodes.get(0).close();
    byte[] data = randomBytes(1000);
    client.put("d", "k", data);
    assertFalse(tracker.closes.get(1).getDeviceIdsList().contains(1), "device 1's datanode is gone");
    assertArrayEquals(data, client.get("d", "k"));
  }

  @Test
  void copyFailingMidStreamWithoutSparesReopensExcludingTheDevice() {
    datanodes.get(1).failWriteAfterChunks = 2;
    byte[] data = randomBytes(500_000);
    client.put("d", "k", data);
    assertEquals(2, tracker.opens.size());
    assertEquals(List.of(2), tracker.opens.get(1).getExcludeDevicesList());
    assertEquals(1, tracker.closes.size());
    assertFalse(tracker.closes.get(0).getDeviceIdsList().contains(2));
    assertArrayEquals(data, client.get("d", "k"));
  }

  @Test
  void failedPutLeavesTheOldVersionIntact() {
    byte[] old = randomBytes(100);
    client.put("d", "k", old);
    datanodes.forEach(dn -> dn.failWrites = true);
    MogulException e = assertThrows(MogulException.class, () -> client.put("d", "k", randomBytes(100)));
    assertEquals(ErrorReason.DEVICE_UNAVAILABLE, e.reason(), e.getMessage());
    assertEquals(1, tracker.closes.size());
    datanodes.forEach(dn -> dn.failWrites = false);
    assertArrayEquals(old, client.get("d", "k"));
  }

  @Test
  void readFallsOverToTheNextCopyOnErrorMismatchAndMidStreamLoss() throws Exception {
    byte[] data = randomBytes(400_000);
    FileInfo info = client.put("d", "k", data);
    FakeDatanode first = datanodes.get(info.getLocations(0).getDeviceId() - 1);
    first.failReads = true;
    assertArrayEquals(data, client.get("d", "k"));
    first.failReads = false;
    first.corruptReads = true;
    assertArrayEquals(data, client.get("d", "k"));
    first.corruptReads = false;
    first.failReadAfterChunks = 3;
    try (InputStream in = client.openStream("d", "k")) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  /** Puts {@code count} files of random bytes under keys k0, k1, ... in domain d; returns what each holds. */
  private Map<String, byte[]> putRandomFiles(int count, int size) {
    Map<String, byte[]> stored = new HashMap<>();
    for (int i = 0; i < count; i++) {
      stored.put("k" + i, randomBytes(size));
      client.put("d", "k" + i, stored.get("k" + i));
    }
    return stored;
  }

  @Test
  void smallReadsShareOneStreamPerDatanodeAndFallOverWhenItBreaks() {
    Map<String, byte[]> stored = putRandomFiles(20, 500);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 20; i++) {
        assertArrayEquals(stored.get("k" + i), client.get("d", "k" + i));
      }
    }
    for (FakeDatanode dn : datanodes) {
      assertTrue(dn.smallReadStreams.get() <= 1, dn.address() + " opened " + dn.smallReadStreams.get() + " streams");
    }
    FileInfo info = client.info("d", "k0");
    datanodes.get(info.getLocations(0).getDeviceId() - 1).close();
    assertArrayEquals(stored.get("k0"), client.get("d", "k0"), "read from the next copy");
  }

  @Test
  void readToAFileStartsOverFromTheNextCopyWhenOneFailsTheChecksum(@TempDir Path dir) throws Exception {
    byte[] data = randomBytes(400_000);
    FileInfo info = client.put("d", "k", data);
    datanodes.get(info.getLocations(0).getDeviceId() - 1).corruptReads = true;
    Path target = dir.resolve("out");
    long[] reported = {0};
    long[] takenBack = {0};
    assertEquals(data.length, client.get("d", "k", target, n -> {
      reported[0] += n;
      takenBack[0] += Math.min(0, n);
    }));
    assertArrayEquals(data, Files.readAllBytes(target), "the second copy's bytes only, not appended to the first's");
    assertTrue(takenBack[0] < 0, "the corrupt copy was read through first, and its bytes taken back");
    assertEquals(data.length, reported[0], "the progress ends at the file's length");

    datanodes.forEach(dn -> dn.corruptReads = true);
    Files.write(target, new byte[] {1, 2, 3});
    MogulException e = assertThrows(MogulException.class, () -> client.get("d", "k", target));
    assertEquals(ErrorReason.CHECKSUM_MISMATCH, e.reason());
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target), "a failed read leaves the target as it was");
    try (var left = Files.list(dir)) {
      assertEquals(List.of(target), left.toList(), "no partial file is left behind");
    }
  }

  @Test
  void everyCopyCorruptFailsWithChecksumMismatch() {
    byte[] data = randomBytes(1000);
    client.put("d", "k", data);
    datanodes.forEach(dn -> dn.corruptReads = true);
    MogulException e = assertThrows(MogulException.class, () -> client.get("d", "k"));
    assertEquals(ErrorReason.CHECKSUM_MISMATCH, e.reason());
  }

  @Test
  void badInputIsRefusedBeforeAnyCall(@TempDir Path dir) {
    assertEquals(ErrorReason.INVALID_NAME,
        assertThrows(MogulException.class, () -> client.put("d", "x".repeat(1025), new byte[1])).reason());
    assertEquals(ErrorReason.INVALID_NAME,
        assertThrows(MogulException.class, () -> client.put("Bad Domain", "k", new byte[1])).reason());
    assertEquals(ErrorReason.INVALID_ARGUMENT, assertThrows(MogulException.class,
        () -> client.put("d", "k", dir.resolve("missing"), PutOptions.DEFAULT)).reason());
    assertEquals(0, tracker.calls.get());
    assertEquals(ErrorReason.UNKNOWN_DOMAIN,
        assertThrows(MogulException.class, () -> client.put("other", "k", new byte[1])).reason());
    assertTrue(tracker.files.isEmpty());
  }

  @Test
  void listWalksEveryPageInKeyOrder() {
    client.close();
    client = MogulClient.builder().trackers(tracker.address()).listPageSize(7).build();
    List<CompletableFuture<FileInfo>> puts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      puts.add(client.putAsync("d", String.format("p/%03d", i), new byte[] {(byte) i}, PutOptions.DEFAULT));
    }
    client.put("d", "q/other", new byte[1]);
    puts.forEach(CompletableFuture::join);
    List<String> keys = new ArrayList<>();
    for (Iterator<KeySummary> it = client.list("d", "p/"); it.hasNext(); ) {
      keys.add(it.next().getKey());
    }
    assertEquals(30, keys.size());
    assertEquals("p/000", keys.get(0));
    assertEquals("p/029", keys.get(29));
  }

  @Test
  void concurrentPutsAreCoalescedIntoBatches() {
    List<CompletableFuture<FileInfo>> puts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      puts.add(client.putAsync("d", "k" + i, randomBytes(100), PutOptions.DEFAULT));
    }
    puts.forEach(CompletableFuture::join);
    assertEquals(200, tracker.files.size());
    assertTrue(tracker.largestBatch.get() > 1, "largest batch " + tracker.largestBatch.get());
    assertTrue(tracker.batchCalls.get() < 400, "batch calls " + tracker.batchCalls.get());
  }

  @Test
  void concurrentReadsLookUpTheirPathsInBatchesAndAMissingKeyFailsAlone() {
    Map<String, byte[]> stored = putRandomFiles(50, 100);
    int callsBefore = tracker.batchCalls.get();
    tracker.largestBatch.set(0);
    tracker.retriableItemFailures.set(3);
    List<CompletableFuture<byte[]>> gets = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      gets.add(client.getAsync("d", "k" + i));
    }
    CompletableFuture<byte[]> missing = client.getAsync("d", "nope");
    for (int i = 0; i < 50; i++) {
      assertArrayEquals(stored.get("k" + i), gets.get(i).join(), "k" + i);
    }
    assertEquals(ErrorReason.UNKNOWN_KEY, MogulException.from(assertThrows(CompletionException.class,
        missing::join)).reason());
    assertTrue(tracker.largestBatch.get() > 1, "largest batch " + tracker.largestBatch.get());
    assertTrue(tracker.batchCalls.get() - callsBefore < 51, "batch calls " + (tracker.batchCalls.get() - callsBefore));
    assertEquals(0, tracker.retriableItemFailures.get(), "items failing retriably were retried alone");
  }

  @Test
  void batchItemsFailingRetriablyDuringALeaderChangeAreRetried() {
    tracker.retriableItemFailures.set(6);
    List<CompletableFuture<FileInfo>> puts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      puts.add(client.putAsync("d", "k" + i, randomBytes(100), PutOptions.DEFAULT));
    }
    puts.forEach(CompletableFuture::join);
    assertEquals(20, tracker.files.size());
    assertEquals(0, tracker.retriableItemFailures.get());
  }

  @Test
  void putWhoseUploadTheTrackerLostIsWrittenAgainUnderANewUpload() {
    tracker.lostUploads.set(1);
    byte[] data = randomBytes(100);
    FileInfo info = client.put("d", "k", data);
    assertEquals(2, tracker.opens.size(), "a second upload was opened");
    assertEquals(0, tracker.lostUploads.get());
    assertEquals(1, tracker.closes.size(), "only the second upload was committed");
    assertEquals(info.getFid(), tracker.files.get("k").getFid());
    assertArrayEquals(data, client.get("d", "k"));
  }

  @Test
  void batchingFallsBackToSingleCallsWhenUnimplemented() {
    tracker.batchUnimplemented = true;
    byte[] data = randomBytes(10);
    client.put("d", "k", data);
    assertArrayEquals(data, client.get("d", "k"));
    assertEquals(0, tracker.batchCalls.get());
  }

  @Test
  void deleteAndRename() {
    client.put("d", "a", new byte[] {1});
    client.rename("d", "a", "b");
    assertArrayEquals(new byte[] {1}, client.get("d", "b"));
    assertEquals(ErrorReason.UNKNOWN_KEY, assertThrows(MogulException.class, () -> client.get("d", "a")).reason());
    client.delete("d", "b");
    assertEquals(ErrorReason.UNKNOWN_KEY, assertThrows(MogulException.class, () -> client.info("d", "b")).reason());
  }
}
