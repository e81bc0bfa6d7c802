package io.mogul.datanode.service;

import static io.mogul.datanode.service.DataNodeClient.crc;
import static io.mogul.datanode.service.DataNodeServiceTest.waitFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.Gauge;
import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.proto.BlobRef;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.HostState;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code WriteSmallStream}: pipelined small writes, per-item acks and errors, cancellation, flow control. */
@Timeout(120)
class WriteSmallStreamTest {
  @TempDir Path dir;
  private final TestDatanodes nodes = new TestDatanodes();

  @AfterEach
  void closeAll() throws Exception {
    nodes.close();
  }

  private static DatanodeConfig config(Path dataDir, int window) {
    DatanodeConfig c = DataNodeServiceTest.config(dataDir);
    c.server.maxPipelinedWrites = window;
    return c;
  }

  private static WriteSmallRequest item(long fid, int device, byte[] data) {
    return DataNodeClient.smallWrite(fid, device, data);
  }

  private static byte[] random(Random r, int size) {
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  private static double unacknowledged(DatanodeServer s) {
    Gauge g = s.metrics().find("mogul.datanode.write.stream.unacknowledged").gauge();
    return g.value();
  }

  /** Answers ready but held back because their clients do not read. */
  private static double answersWaiting(DatanodeServer s) {
    return s.metrics().find("mogul.datanode.write.stream.answers.waiting").gauge().value();
  }

  /** The most items one stream held at once since the datanode started. */
  private static double windowPeak(DatanodeServer s) {
    return s.metrics().find("mogul.datanode.write.stream.window.peak").gauge().value();
  }

  /**
   * Test side of one {@code WriteSmallStream} call: sends its items only while the transport
   * is ready, optionally half-closes after the last, and collects acks (or, until
   * {@link #readAcks()}, reads none).
   */
  private static final class PipelinedWriter implements ClientResponseObserver<WriteSmallRequest, WriteSmallAck> {
    final List<WriteSmallAck> acks = Collections.synchronizedList(new ArrayList<>());
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Iterator<WriteSmallRequest> items;
    private final boolean halfCloseAtEnd;
    private final boolean readAcksAtStart;
    private final Consumer<WriteSmallAck> onAck;
    private ClientCallStreamObserver<WriteSmallRequest> out;
    private int sent;
    private boolean closed;

    PipelinedWriter(List<WriteSmallRequest> items, boolean halfCloseAtEnd, boolean readAcksAtStart,
        Consumer<WriteSmallAck> onAck) {
      this.items = items.iterator();
      this.halfCloseAtEnd = halfCloseAtEnd;
      this.readAcksAtStart = readAcksAtStart;
      this.onAck = onAck;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<WriteSmallRequest> requests) {
      out = requests;
      if (!readAcksAtStart) {
        out.disableAutoRequestWithInitial(0);
      }
      out.setOnReadyHandler(this::pump);
    }

    private synchronized void pump() {
      while (!closed && items.hasNext() && out.isReady()) {
        out.onNext(items.next());
        sent++;
      }
      if (!closed && !items.hasNext() && halfCloseAtEnd) {
        closed = true;
        out.onCompleted();
      }
    }

    synchronized int sent() {
      return sent;
    }

    synchronized void readAcks() {
      out.request(Integer.MAX_VALUE);
    }

    synchronized void cancel() {
      closed = true;
      out.cancel("the test gives up", null);
    }

    @Override
    public void onNext(WriteSmallAck ack) {
      acks.add(ack);
      onAck.accept(ack);
    }

    @Override
    public void onError(Throwable t) {
      ended.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      ended.complete(null);
    }
  }

  @Test
  void pipelinedWritesAreAllDurableWhenAcknowledgedAndReadableAfterARestart() throws Exception {
    DatanodeConfig cfg = config(dir, 16);
    cfg.devices = 2;
    DatanodeServer server = nodes.start(cfg);
    DataNodeClient c = nodes.client(server);
    Random r = new Random(31);
    Map<Long, byte[]> blobs = new HashMap<>();
    List<PipelinedWriter> streams = new ArrayList<>();
    List<String> ackedBeforeIndexed = Collections.synchronizedList(new ArrayList<>());
    for (int s = 0; s < 4; s++) {
      List<WriteSmallRequest> items = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        long fid = s * 1000L + i + 1;
        byte[] data = random(r, 1 + r.nextInt(8192));
        blobs.put(fid, data);
        items.add(item(fid, 1 + (int) (fid % 2), data));
      }
      // An ack may only come once the blob is fsync'ed, i.e. after its batch reached the index.
      streams.add(new PipelinedWriter(items, true, true, ack -> {
        if (server.store().device(ack.getDeviceId()).index().get(ack.getFid()) == null) {
          ackedBeforeIndexed.add(Long.toString(ack.getFid()));
        }
      }));
    }
    streams.forEach(w -> c.async.writeSmallStream(w));
    for (PipelinedWriter w : streams) {
      w.ended.get(60, TimeUnit.SECONDS);
      assertEquals(300, w.acks.size());
    }
    assertTrue(ackedBeforeIndexed.isEmpty(), "acknowledged before durable: " + ackedBeforeIndexed);
    for (PipelinedWriter w : streams) {
      for (WriteSmallAck ack : w.acks) {
        byte[] data = blobs.get(ack.getFid());
        assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, ack.getError(), ack.getErrorMessage());
        assertEquals(1 + ack.getFid() % 2, ack.getDeviceId());
        assertEquals(data.length, ack.getLength());
        assertEquals(crc(data), ack.getCrc32C());
      }
    }
    assertEquals(blobs.keySet().size(), streams.stream().mapToLong(w -> w.acks.stream()
        .map(WriteSmallAck::getFid).distinct().count()).sum(), "every fid acknowledged exactly once");
    waitFor(() -> unacknowledged(server) == 0, "the server holds no item of the finished streams");
    assertTrue(windowPeak(server) <= 16, "no stream held more than its window");

    nodes.stop(server);
    DataNodeClient again = nodes.client(nodes.start(cfg));
    for (Map.Entry<Long, byte[]> e : blobs.entrySet()) {
      assertArrayEquals(e.getValue(), again.read(e.getKey(), 1 + (int) (e.getKey() % 2), 0, -1), "fid " + e.getKey());
    }
  }

  @Test
  void itemsRefusedByTheStoreGetTheirOwnErrorAcksWhileLaterItemsOnTheStreamSucceed() throws Exception {
    DatanodeServer server = nodes.start(config(dir, 8));
    DataNodeClient c = nodes.client(server);
    Random r = new Random(32);
    Map<Long, byte[]> blobs = new HashMap<>();
    List<WriteSmallRequest> items = new ArrayList<>();
    for (long fid = 1; fid <= 20; fid++) {
      byte[] data = random(r, 4096);
      blobs.put(fid, data);
      WriteSmallRequest req = item(fid, 1, data);
      if (fid == 5) {
        req = req.toBuilder().setCrc32C(crc(data) ^ 1).build(); // damaged on the way
      } else if (fid == 9) {
        req = req.toBuilder().setDeviceId(9).build(); // no such device here
      } else if (fid == 12) {
        req = req.toBuilder().setFid(0).build(); // never allocated
      }
      items.add(req);
    }
    PipelinedWriter w = new PipelinedWriter(items, true, true, ack -> { });
    c.async.writeSmallStream(w);
    w.ended.get(30, TimeUnit.SECONDS);
    assertEquals(20, w.acks.size(), "one ack per item, the stream was not failed");
    Map<Long, WriteSmallAck> byFid = new HashMap<>();
    w.acks.forEach(a -> byFid.put(a.getFid(), a));
    assertEquals(ErrorReason.CHECKSUM_MISMATCH, byFid.get(5L).getError());
    assertFalse(byFid.get(5L).getErrorMessage().isEmpty());
    assertEquals(ErrorReason.UNKNOWN_DEVICE, byFid.get(9L).getError());
    assertEquals(ErrorReason.INVALID_ARGUMENT, byFid.get(0L).getError());
    assertFalse(c.blocking.stat(BlobRef.newBuilder().setFid(5).setDeviceId(1).build()).getExists());
    for (long fid : blobs.keySet()) {
      if (fid != 5 && fid != 9 && fid != 12) {
        assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, byFid.get(fid).getError(), "fid " + fid);
        assertArrayEquals(blobs.get(fid), c.read(fid, 1, 0, -1), "fid " + fid);
      }
    }

    // A read-only host refuses new blobs item by item as well, without failing the stream.
    server.store().setHostState(HostState.HOST_READONLY);
    PipelinedWriter readOnly = new PipelinedWriter(List.of(item(30, 1, new byte[] {1})), true, true, ack -> { });
    c.async.writeSmallStream(readOnly);
    readOnly.ended.get(30, TimeUnit.SECONDS);
    assertEquals(ErrorReason.DEVICE_UNAVAILABLE, readOnly.acks.get(0).getError());
    assertFalse(c.blocking.stat(BlobRef.newBuilder().setFid(30).setDeviceId(1).build()).getExists());
  }

  @Test
  void deviceBelowItsReserveRefusesStreamItemsWithDeviceFullAcks() throws Exception {
    DatanodeConfig cfg = config(dir, 8);
    cfg.reserveBytes = Long.MAX_VALUE / 4;
    DataNodeClient c = nodes.client(nodes.start(cfg));
    PipelinedWriter w = new PipelinedWriter(List.of(item(1, 1, new byte[] {1}), item(2, 1, new byte[] {2})), true,
        true, ack -> { });
    c.async.writeSmallStream(w);
    w.ended.get(30, TimeUnit.SECONDS);
    assertEquals(2, w.acks.size());
    w.acks.forEach(a -> assertEquals(ErrorReason.DEVICE_FULL, a.getError()));
  }

  @Test
  void streamCancelledMidwayLeavesNoPartiallyVisibleItem() throws Exception {
    DatanodeConfig cfg = config(dir, 8);
    DatanodeServer server = nodes.start(cfg);
    DataNodeClient c = nodes.client(server);
    Random r = new Random(33);
    Map<Long, byte[]> blobs = new HashMap<>();
    List<WriteSmallRequest> items = new ArrayList<>();
    for (long fid = 1; fid <= 200; fid++) {
      byte[] data = random(r, 64 * 1024);
      blobs.put(fid, data);
      items.add(item(fid, 1, data));
    }
    PipelinedWriter[] w = new PipelinedWriter[1];
    AtomicInteger acked = new AtomicInteger();
    w[0] = new PipelinedWriter(items, false, true, ack -> {
      if (acked.incrementAndGet() == 10) {
        w[0].cancel(); // mid-way: items are in flight in both directions
      }
    });
    c.async.writeSmallStream(w[0]);
    ExecutionException e = assertThrows(ExecutionException.class, () -> w[0].ended.get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.CANCELLED, assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus()
        .getCode());
    waitFor(() -> unacknowledged(server) == 0, "the server let go of the cancelled stream");
    // The writer takes items in order of arrival; once a later write on the same connection is
    // durable, every item of the cancelled stream is settled.
    c.blocking.writeSmall(item(100_000, 1, new byte[] {7}));
    List<Long> acknowledged = w[0].acks.stream().map(WriteSmallAck::getFid).toList();
    assertAllOrNothing(c, blobs, acknowledged);

    // Items that were still being written when the call was cancelled are settled on close;
    // after recovery each is still whole or absent.
    nodes.stop(server);
    DatanodeServer again = nodes.start(cfg);
    DataNodeClient c2 = nodes.client(again);
    int stored = assertAllOrNothing(c2, blobs, acknowledged);
    assertTrue(stored < blobs.size(), "the cancel came mid-way, yet all " + stored + " items were stored");
  }

  /** Every acknowledged fid is stored whole, every other one whole or not at all; returns how many are stored. */
  private static int assertAllOrNothing(DataNodeClient c, Map<Long, byte[]> blobs, List<Long> acknowledged) {
    int stored = 0;
    for (Map.Entry<Long, byte[]> e : blobs.entrySet()) {
      boolean exists = c.blocking.stat(BlobRef.newBuilder().setFid(e.getKey()).setDeviceId(1).build()).getExists();
      if (exists) {
        stored++;
        assertArrayEquals(e.getValue(), c.read(e.getKey(), 1, 0, -1), "fid " + e.getKey());
      } else {
        assertFalse(acknowledged.contains(e.getKey()), "acknowledged fid " + e.getKey() + " is not stored");
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class, () -> c.read(e.getKey(), 1, 0, -1));
        assertEquals(ErrorReason.BLOB_NOT_FOUND, MogulException.from(missing).reason());
      }
    }
    return stored;
  }

  @Test
  void clientThatNeverReadsAcksMakesTheServerHoldNoMoreThanTheWindow() throws Exception {
    int window = 8; // requested in groups of one: a stalled stream holds exactly the window
    DatanodeServer server = nodes.start(config(dir, window));
    // A small receive window for the acks, so the transport soon stops taking them.
    ManagedChannel channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext()
        .flowControlWindow(16 * 1024).build();
    nodes.closeLater(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    List<WriteSmallRequest> items = new ArrayList<>();
    for (long fid = 1; fid <= 6000; fid++) {
      items.add(item(fid, 1, new byte[] {(byte) fid, (byte) (fid >> 8)}));
    }
    PipelinedWriter w = new PipelinedWriter(items, true, false, ack -> { });
    DataNodeGrpc.newStub(channel).writeSmallStream(w);

    // Held items whose answers all wait for the client: the stream is stalled, not just passing
    // through a full window while the client still takes answers.
    waitFor(() -> unacknowledged(server) == window && answersWaiting(server) == window,
        "the server holds a full window of unacknowledged items, all answered and waiting for the client");
    int stored = server.store().device(1).index().size();
    assertTrue(stored < items.size(), "the server kept reading although no ack was read: " + stored + " stored");
    assertEquals(window, unacknowledged(server), "held beyond the window while the client read no acks");
    assertEquals(window, windowPeak(server), 0.0, "most items a stream held at once");

    // Once the client reads its acks, everything flows again.
    w.readAcks();
    w.ended.get(60, TimeUnit.SECONDS);
    assertEquals(items.size(), w.acks.size());
    w.acks.forEach(a -> assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, a.getError(), a.getErrorMessage()));
    assertEquals(items.size(), server.store().device(1).index().size());
    assertEquals(window, windowPeak(server), 0.0, "most items a stream held at once");
    waitFor(() -> unacknowledged(server) == 0, "the server holds nothing after the stream completed");
  }
}
