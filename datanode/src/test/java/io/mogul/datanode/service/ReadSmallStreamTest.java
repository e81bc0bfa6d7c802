package io.mogul.datanode.service;

import static io.mogul.datanode.service.DataNodeClient.crc;
import static io.mogul.datanode.service.DataNodeServiceTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.datanode.storage.NeedleLocation;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code ReadSmallStream}: pipelined verified small reads, per-item errors, the size limit, flow control. */
@Timeout(120)
class ReadSmallStreamTest {
  @TempDir Path dir;
  private final TestDatanodes nodes = new TestDatanodes();

  @AfterEach
  void closeAll() throws Exception {
    nodes.close();
  }

  private static DatanodeConfig config(Path dataDir, int window) {
    DatanodeConfig c = DataNodeServiceTest.config(dataDir);
    c.server.maxPipelinedReads = window;
    return c;
  }

  private static void store(DataNodeClient c, long fid, int device, byte[] data) {
    c.blocking.writeSmall(DataNodeClient.smallWrite(fid, device, data));
  }

  private static ReadSmallRequest item(long fid, int device) {
    return ReadSmallRequest.newBuilder().setFid(fid).setDeviceId(device).build();
  }

  private static byte[] random(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  private static double outstanding(DatanodeServer s) {
    Gauge g = s.metrics().find("mogul.datanode.read.stream.outstanding").gauge();
    return g.value();
  }

  /** Answers ready but held back because their clients do not read. */
  private static double answersWaiting(DatanodeServer s) {
    return s.metrics().find("mogul.datanode.read.stream.answers.waiting").gauge().value();
  }

  /** The most items one stream held at once since the datanode started. */
  private static double windowPeak(DatanodeServer s) {
    return s.metrics().find("mogul.datanode.read.stream.window.peak").gauge().value();
  }

  /** Items the server has read (every outcome). */
  private static long itemsRead(DatanodeServer s) {
    return s.metrics().find("mogul.datanode.small.reads").timers().stream().mapToLong(Timer::count).sum();
  }

  /**
   * Test side of one {@code ReadSmallStream} call: sends its items only while the transport
   * is ready, half-closes after the last, and collects replies (or, until
   * {@link #readReplies()}, reads none).
   */
  private static final class PipelinedReader implements ClientResponseObserver<ReadSmallRequest, ReadSmallReply> {
    final List<ReadSmallReply> replies = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Iterator<ReadSmallRequest> items;
    private final boolean readRepliesAtStart;
    private ClientCallStreamObserver<ReadSmallRequest> out;
    private boolean closed;

    PipelinedReader(List<ReadSmallRequest> items, boolean readRepliesAtStart) {
      this.items = items.iterator();
      this.readRepliesAtStart = readRepliesAtStart;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<ReadSmallRequest> requests) {
      out = requests;
      if (!readRepliesAtStart) {
        out.disableAutoRequestWithInitial(0);
      }
      out.setOnReadyHandler(this::pump);
    }

    private synchronized void pump() {
      while (!closed && items.hasNext() && out.isReady()) {
        out.onNext(items.next());
      }
      if (!closed && !items.hasNext()) {
        closed = true;
        out.onCompleted();
      }
    }

    synchronized void readReplies() {
      out.request(Integer.MAX_VALUE);
    }

    @Override
    public void onNext(ReadSmallReply reply) {
      replies.add(reply);
    }

    @Override
    public void onError(Throwable t) {
      ended.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      ended.complete(null);
    }

    Map<Long, ReadSmallReply> byFid() {
      Map<Long, ReadSmallReply> m = new HashMap<>();
      synchronized (replies) {
        for (ReadSmallReply r : replies) {
          assertTrue(m.put(r.getFid(), r) == null, "fid " + r.getFid() + " answered twice");
        }
      }
      return m;
    }
  }

  private static PipelinedReader readAll(DataNodeClient c, List<ReadSmallRequest> items) throws Exception {
    PipelinedReader reader = new PipelinedReader(items, true);
    c.async.readSmallStream(reader);
    reader.ended.get(60, TimeUnit.SECONDS);
    assertEquals(items.size(), reader.replies.size(), "one reply per item, the stream was not failed");
    return reader;
  }

  private static void assertWhole(byte[] data, ReadSmallReply reply) {
    assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, reply.getError(), reply.getErrorMessage());
    assertEquals(data.length, reply.getLength(), "fid " + reply.getFid());
    assertEquals(crc(data), reply.getCrc32C(), "fid " + reply.getFid());
    assertEquals(0, reply.getRangeOffset());
    assertArrayEquals(data, reply.getData().toByteArray(), "fid " + reply.getFid());
  }

  @ParameterizedTest(name = "server.readThreads {0}")
  @ValueSource(ints = {0, 2})
  void pipelinedReadsReturnTheVerifiedBytesOfEveryFidInAnyCompletionOrder(int readThreads) throws Exception {
    DatanodeConfig cfg = config(dir, 16);
    cfg.devices = 2;
    cfg.server.readThreads = readThreads;
    DatanodeServer server = nodes.start(cfg);
    DataNodeClient c = nodes.client(server);
    Random r = new Random(41);
    Map<Long, byte[]> blobs = new HashMap<>();
    for (long fid = 1; fid <= 300; fid++) {
      byte[] data = random(r, fid == 7 ? (int) SmallReads.MAX_BLOB_BYTES : fid == 8 ? 0 : 1 + r.nextInt(16384));
      blobs.put(fid, data);
      store(c, fid, 1 + (int) (fid % 2), data);
    }
    List<PipelinedReader> streams = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      List<ReadSmallRequest> items = new ArrayList<>();
      blobs.keySet().forEach(fid -> items.add(item(fid, 1 + (int) (fid % 2))));
      Collections.shuffle(items, new Random(s));
      PipelinedReader reader = new PipelinedReader(items, true);
      streams.add(reader);
      c.async.readSmallStream(reader);
    }
    for (PipelinedReader reader : streams) {
      reader.ended.get(60, TimeUnit.SECONDS);
      Map<Long, ReadSmallReply> byFid = reader.byFid();
      assertEquals(blobs.keySet(), byFid.keySet(), "every fid answered exactly once");
      for (Map.Entry<Long, byte[]> e : blobs.entrySet()) {
        ReadSmallReply reply = byFid.get(e.getKey());
        assertEquals(1 + e.getKey() % 2, reply.getDeviceId());
        assertWhole(e.getValue(), reply);
      }
    }

    // Ranges follow Read's rules: from the offset, cut at the end of the blob.
    byte[] b5 = blobs.get(5L);
    PipelinedReader ranges = readAll(c, List.of(
        item(5, 2).toBuilder().setOffset(3).setLength(10).build(),
        item(9, 2).toBuilder().setOffset(blobs.get(9L).length - 2).setLength(100).build(),
        item(11, 2).toBuilder().setOffset(1).setLength(-1).build()));
    Map<Long, ReadSmallReply> byFid = ranges.byFid();
    assertArrayEquals(Arrays.copyOfRange(b5, 3, 13), byFid.get(5L).getData().toByteArray());
    assertEquals(3, byFid.get(5L).getRangeOffset());
    assertEquals(b5.length, byFid.get(5L).getLength(), "the whole blob's length");
    assertEquals(crc(b5), byFid.get(5L).getCrc32C(), "the whole blob's checksum");
    byte[] b9 = blobs.get(9L);
    assertArrayEquals(Arrays.copyOfRange(b9, b9.length - 2, b9.length), byFid.get(9L).getData().toByteArray());
    byte[] b11 = blobs.get(11L);
    assertArrayEquals(Arrays.copyOfRange(b11, 1, b11.length), byFid.get(11L).getData().toByteArray());

    waitFor(() -> outstanding(server) == 0, "the server holds no item of the finished streams");
    assertTrue(windowPeak(server) <= 16, "no stream held more than its window: " + windowPeak(server));
  }

  @Test
  void missingFidUnknownDeviceAndCorruptBlobGetTheirOwnErrorRepliesWhileLaterItemsSucceed() throws Exception {
    DatanodeServer server = nodes.start(config(dir, 8));
    DataNodeClient c = nodes.client(server);
    Random r = new Random(42);
    Map<Long, byte[]> blobs = new HashMap<>();
    for (long fid = 1; fid <= 20; fid++) {
      byte[] data = random(r, 5000);
      blobs.put(fid, data);
      store(c, fid, 1, data);
    }
    // Bit rot in the data of fid 3: one byte flipped on disk.
    NeedleLocation loc = server.store().device(1).index().get(3);
    try (FileChannel ch = FileChannel.open(dir.resolve("dev1").resolve(VolumeFormat.datName(loc.volumeId())),
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long pos = loc.offset() + NeedleFormat.HEADER_SIZE + 4000;
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, pos);
      b.put(0, (byte) ~b.get(0));
      ch.write(b.flip(), pos);
    }
    List<ReadSmallRequest> items = new ArrayList<>();
    for (long fid = 1; fid <= 20; fid++) {
      if (fid == 4) {
        items.add(item(999, 1)); // never stored
        items.add(item(4, 9)); // no such device here
        items.add(item(0, 1)); // never allocated
      }
      if (fid == 6) {
        items.add(item(6, 1).toBuilder().setOffset(6000).build()); // past the end, answered under fid 6
        continue;
      }
      items.add(item(fid, 1));
    }
    PipelinedReader reader = readAll(c, items);
    Map<Long, ReadSmallReply> byFid = new HashMap<>();
    for (ReadSmallReply reply : reader.replies) {
      byFid.put(reply.getFid() * 100 + reply.getDeviceId(), reply);
    }
    ReadSmallReply corrupt = byFid.get(301L);
    assertEquals(ErrorReason.CHECKSUM_MISMATCH, corrupt.getError());
    assertTrue(corrupt.getData().isEmpty(), "no byte of a blob that failed its check");
    assertFalse(corrupt.getErrorMessage().isEmpty());
    assertEquals(ErrorReason.BLOB_NOT_FOUND, byFid.get(99901L).getError());
    assertEquals(ErrorReason.UNKNOWN_DEVICE, byFid.get(409L).getError());
    assertEquals(ErrorReason.INVALID_ARGUMENT, byFid.get(1L).getError(), "fid 0");
    assertEquals(ErrorReason.INVALID_ARGUMENT, byFid.get(601L).getError(), "offset past the end");
    for (long fid = 1; fid <= 20; fid++) {
      if (fid != 3 && fid != 6) {
        assertWhole(blobs.get(fid), byFid.get(fid * 100 + 1));
      }
    }
    // The same blob fails Read the same way: both take the store's verified read path.
    assertEquals(ErrorReason.CHECKSUM_MISMATCH, MogulException.from(org.junit.jupiter.api.Assertions.assertThrows(
        io.grpc.StatusRuntimeException.class, () -> c.read(3, 1, 0, -1))).reason());
  }

  @Test
  void blobAboveTheSizeLimitIsRefusedPerItemWithAHintToUseRead() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir, 8)));
    Random r = new Random(43);
    byte[] large = random(r, (int) SmallReads.MAX_BLOB_BYTES + 1);
    c.write(1, 1, large, 256 * 1024);
    byte[] small = random(r, 4096);
    store(c, 2, 1, small);
    PipelinedReader reader = readAll(c, List.of(item(1, 1), item(2, 1),
        item(1, 1).toBuilder().setOffset(0).setLength(10).build()));
    List<ReadSmallReply> refused = reader.replies.stream().filter(a -> a.getFid() == 1).toList();
    assertEquals(2, refused.size());
    for (ReadSmallReply reply : refused) {
      assertEquals(ErrorReason.INVALID_ARGUMENT, reply.getError());
      assertTrue(reply.getErrorMessage().contains("read it with Read"), reply.getErrorMessage());
      assertTrue(reply.getData().isEmpty());
    }
    assertWhole(small, reader.replies.stream().filter(a -> a.getFid() == 2).findFirst().orElseThrow());
    assertArrayEquals(large, c.read(1, 1, 0, -1), "Read serves the blob the stream refused");
  }

  @Test
  void clientThatNeverReadsRepliesMakesTheServerHoldNoMoreThanTheWindow() throws Exception {
    int window = 8; // requested in groups of one: a stalled stream holds exactly the window
    DatanodeServer server = nodes.start(config(dir, window));
    byte[] data = random(new Random(44), 32 * 1024);
    store(nodes.client(server), 1, 1, data);
    // A small receive window for the replies, so the transport soon stops taking them.
    ManagedChannel channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext()
        .flowControlWindow(16 * 1024).build();
    nodes.closeLater(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    int count = 500;
    List<ReadSmallRequest> items = Collections.nCopies(count, item(1, 1));
    PipelinedReader reader = new PipelinedReader(items, false);
    DataNodeGrpc.newStub(channel).readSmallStream(reader);

    // Held items whose answers all wait for the client: the stream is stalled, not just passing
    // through a full window while the client still takes answers.
    waitFor(() -> outstanding(server) == window && answersWaiting(server) == window,
        "the server holds a full window of outstanding items, all answered and waiting for the client");
    long read = itemsRead(server);
    assertTrue(read < count, "the server kept reading although no reply was read: " + read + " items read");
    // (The client may well have sent all its items: 500 requests fit the server's HTTP/2 receive
    // window; the datanode buffers them in the transport as bytes, not as items being read.)
    assertEquals(window, outstanding(server), "held beyond the window while the client read no replies");
    assertEquals(window, windowPeak(server), 0.0, "most items a stream held at once");

    // Once the client reads its replies, everything flows again.
    reader.readReplies();
    reader.ended.get(60, TimeUnit.SECONDS);
    assertEquals(count, reader.replies.size());
    reader.replies.forEach(reply -> assertWhole(data, reply));
    assertEquals(count, itemsRead(server));
    assertEquals(window, windowPeak(server), 0.0, "most items a stream held at once");
    waitFor(() -> outstanding(server) == 0, "the server holds nothing after the stream completed");
  }
}
