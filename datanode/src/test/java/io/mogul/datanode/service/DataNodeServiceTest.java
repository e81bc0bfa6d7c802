package io.mogul.datanode.service;

import static io.mogul.datanode.service.DataNodeClient.crc;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.mogul.common.MogulException;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.datanode.storage.format.VolumeFormat;
import io.mogul.proto.BlobRef;
import io.mogul.proto.BlobStat;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ListBlobsRequest;
import io.mogul.proto.ListBlobsResponse;
import io.mogul.proto.ReplicateRequest;
import io.mogul.proto.VerifyResponse;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallRequest;
import io.mogul.proto.WriteTrailer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DataNodeServiceTest {
  @TempDir Path dir;
  private final TestDatanodes nodes = new TestDatanodes();

  @AfterEach
  void closeAll() throws Exception {
    nodes.close();
  }

  static DatanodeConfig config(Path dataDir) {
    DatanodeConfig c = new DatanodeConfig();
    c.listen = "127.0.0.1:0";
    c.dataDir = dataDir.toString();
    c.trackers = List.of();
    c.devices = 1;
    c.reserveBytes = 0;
    c.storage.volumeSizeBytes = 8L << 20;
    return c;
  }

  private static ErrorReason reason(Throwable t) {
    return MogulException.from(t instanceof ExecutionException ? t.getCause() : t).reason();
  }

  private static WriteSmallRequest small(long fid, byte[] data) {
    return DataNodeClient.smallWrite(fid, 1, data);
  }

  @Test
  void smallBlobIsWrittenReadStatVerifiedListedAndDeleted() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    byte[] data = "hello mogul".getBytes();
    WriteResponse w = c.blocking.writeSmall(small(42, data));
    assertEquals(crc(data), w.getCrc32C());
    assertArrayEquals(data, c.read(42, 1, 0, -1));
    assertArrayEquals("mogul".getBytes(), c.read(42, 1, 6, 100));
    BlobStat st = c.blocking.stat(BlobRef.newBuilder().setFid(42).setDeviceId(1).build());
    assertTrue(st.getExists());
    assertEquals(data.length, st.getLength());
    VerifyResponse v = c.blocking.verify(BlobRef.newBuilder().setFid(42).setDeviceId(1).build());
    assertTrue(v.getOk());
    ListBlobsResponse list = c.blocking.listFids(ListBlobsRequest.newBuilder().setDeviceId(1).build());
    assertEquals(1, list.getBlobsCount());
    assertEquals(42, list.getBlobs(0).getFid());
    assertTrue(c.blocking.delete(BlobRef.newBuilder().setFid(42).setDeviceId(1).build()).getExisted());
    assertFalse(c.blocking.stat(BlobRef.newBuilder().setFid(42).setDeviceId(1).build()).getExists());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.read(42, 1, 0, -1));
    assertEquals(ErrorReason.BLOB_NOT_FOUND, reason(e));
    assertEquals(ErrorReason.UNKNOWN_DEVICE,
        reason(assertThrows(StatusRuntimeException.class, () -> c.read(42, 9, 0, -1))));
  }

  @Test
  void writeSmallWithWrongChecksumIsRefused() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    WriteSmallRequest bad = small(1, "abc".getBytes()).toBuilder().setCrc32C(5).build();
    assertEquals(ErrorReason.CHECKSUM_MISMATCH,
        reason(assertThrows(StatusRuntimeException.class, () -> c.blocking.writeSmall(bad))));
    assertFalse(c.blocking.stat(BlobRef.newBuilder().setFid(1).setDeviceId(1).build()).getExists());
  }

  @Test
  void streamedBlobIsReadBackInRanges() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    byte[] data = new byte[3 * NeedleFormat.CHECKSUM_CHUNK + 12345];
    new Random(21).nextBytes(data);
    c.write(7, 1, data, 256 * 1024);
    assertArrayEquals(data, c.read(7, 1, 0, -1));
    long from = NeedleFormat.CHECKSUM_CHUNK - 10;
    assertArrayEquals(Arrays.copyOfRange(data, (int) from, (int) from + 2_000_000), c.read(7, 1, from, 2_000_000));
  }

  @Test
  void readsServeTheSameVerifiedBytesOnReadThreadsAndOnTransportThreads() throws Exception {
    byte[] small = new byte[4096];
    byte[] large = new byte[2 * NeedleFormat.CHECKSUM_CHUNK + 777];
    new Random(25).nextBytes(small);
    new Random(26).nextBytes(large);
    for (int readThreads : new int[] {0, 2}) {
      DatanodeConfig cfg = config(dir.resolve("threads" + readThreads));
      cfg.server.readThreads = readThreads;
      cfg.storage.readChunkBytes = 64 * 1024; // many chunks, so sending waits for the transport
      DataNodeClient c = nodes.client(nodes.start(cfg));
      c.blocking.writeSmall(small(1, small));
      c.write(2, 1, large, 1 << 20);
      assertArrayEquals(small, c.read(1, 1, 0, -1), "read threads " + readThreads);
      assertArrayEquals(Arrays.copyOfRange(small, 100, 300), c.read(1, 1, 100, 200), "read threads " + readThreads);
      assertArrayEquals(large, c.read(2, 1, 0, -1), "read threads " + readThreads);
      assertEquals(ErrorReason.INVALID_ARGUMENT, reason(assertThrows(StatusRuntimeException.class,
          () -> c.read(1, 1, 5000, -1))), "read threads " + readThreads);
      assertEquals(ErrorReason.BLOB_NOT_FOUND, reason(assertThrows(StatusRuntimeException.class,
          () -> c.read(3, 1, 0, -1))), "read threads " + readThreads);
    }
  }

  @Test
  void manyConcurrentWritersAreAllDurable() throws Exception {
    DatanodeConfig cfg = config(dir);
    DatanodeServer server = nodes.start(cfg);
    DataNodeClient c = nodes.client(server);
    Random r = new Random(22);
    List<byte[]> blobs = new ArrayList<>();
    List<CompletableFuture<WriteResponse>> writes = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 20; j++) {
        byte[] b = new byte[1 + r.nextInt(8192)];
        r.nextBytes(b);
        blobs.add(b);
      }
    }
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < 32; t++) {
      int base = t * 20;
      threads.add(new Thread(() -> {
        try {
          go.await();
          for (int j = 0; j < 20; j++) {
            byte[] b = blobs.get(base + j);
            if (j % 2 == 0) {
              c.blocking.writeSmall(small(base + j + 1, b));
            } else {
              c.write(base + j + 1, 1, b, 1000);
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    threads.forEach(Thread::start);
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(failures.isEmpty(), failures.toString());
    nodes.stop(server);
    DatanodeServer again = nodes.start(cfg);
    DataNodeClient c2 = nodes.client(again);
    for (int i = 0; i < blobs.size(); i++) {
      assertArrayEquals(blobs.get(i), c2.read(i + 1, 1, 0, -1), "fid " + (i + 1));
    }
  }

  @Test
  void streamCancelledMidwayLeavesNothing() throws Exception {
    DatanodeConfig cfg = config(dir);
    cfg.storage.writeBufferBytes = 64 * 1024; // make the upload spill to a temporary file
    DataNodeClient c = nodes.client(nodes.start(cfg));
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    ClientCallStreamObserver<WriteRequest>[] stream = new ClientCallStreamObserver[1];
    c.async.write(new ClientResponseObserver<WriteRequest, WriteResponse>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<WriteRequest> out) {
        stream[0] = out;
      }

      @Override
      public void onNext(WriteResponse value) {
        ended.complete(null);
      }

      @Override
      public void onError(Throwable t) {
        ended.complete(t);
      }

      @Override
      public void onCompleted() {}
    });
    stream[0].onNext(WriteRequest.newBuilder().setHeader(WriteHeader.newBuilder().setFid(99).setDeviceId(1)
        .setExpectedLength(10 << 20)).build());
    for (int i = 0; i < 4; i++) {
      stream[0].onNext(WriteRequest.newBuilder().setChunk(ByteString.copyFrom(new byte[100_000])).build());
    }
    Path tmp = dir.resolve("dev1/tmp");
    waitFor(() -> fileCount(tmp) == 1, "spill file appears");
    stream[0].cancel("client gave up", null);
    assertTrue(ended.get(10, TimeUnit.SECONDS) instanceof StatusRuntimeException);
    waitFor(() -> fileCount(tmp) == 0, "spill file removed");
    assertFalse(c.blocking.stat(BlobRef.newBuilder().setFid(99).setDeviceId(1).build()).getExists());
  }

  @Test
  void headerWithoutAnExpectedLengthLeavesTheLengthToTheTrailer() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    byte[] data = new byte[3000];
    new java.util.Random(7).nextBytes(data);
    int[] sent = {0};
    WriteResponse r = c.write(8, 1, DataNodeClient.OMIT_EXPECTED_LENGTH,
        () -> sent[0] < 3 ? ByteString.copyFrom(data, 1000 * sent[0]++, 1000) : null,
        () -> WriteTrailer.newBuilder().setLength(data.length).setCrc32C(DataNodeClient.crc(data)).build())
        .get(30, TimeUnit.SECONDS);
    assertEquals(data.length, r.getLength());
    assertArrayEquals(data, c.read(8, 1, 0, -1));
  }

  @Test
  void streamEndingWithoutTrailerIsRefusedAndLeavesNothing() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    int[] sent = {0};
    CompletableFuture<WriteResponse> f = c.write(5, 1, -1, () -> sent[0]++ < 3 ? ByteString.copyFrom(new byte[1000]) : null,
        () -> WriteTrailer.newBuilder().setLength(2999).setCrc32C(0).build());
    assertEquals(ErrorReason.LENGTH_MISMATCH, reason(assertThrows(ExecutionException.class, f::get)));
    assertFalse(c.blocking.stat(BlobRef.newBuilder().setFid(5).setDeviceId(1).build()).getExists());
  }

  @Test
  void deviceBelowReserveRefusesWritesWithDeviceFull() throws Exception {
    DatanodeConfig cfg = config(dir);
    cfg.reserveBytes = Long.MAX_VALUE / 4;
    DataNodeClient c = nodes.client(nodes.start(cfg));
    assertEquals(ErrorReason.DEVICE_FULL, reason(assertThrows(StatusRuntimeException.class,
        () -> c.blocking.writeSmall(small(1, "x".getBytes())))));
    assertEquals(ErrorReason.DEVICE_FULL, reason(assertThrows(ExecutionException.class,
        () -> c.write(2, 1, new byte[10], 5))));
  }

  @Test
  void corruptBlobIsNeverServed() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    byte[] data = new byte[5000];
    new Random(23).nextBytes(data);
    c.blocking.writeSmall(small(3, data));
    try (FileChannel ch = FileChannel.open(dir.resolve("dev1").resolve(VolumeFormat.datName(1)),
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long pos = VolumeFormat.SUPERBLOCK_SIZE + NeedleFormat.HEADER_SIZE + 4000;
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, pos);
      b.put(0, (byte) ~b.get(0));
      ch.write(b.flip(), pos);
    }
    assertEquals(ErrorReason.CHECKSUM_MISMATCH,
        reason(assertThrows(StatusRuntimeException.class, () -> c.read(3, 1, 0, -1))));
    VerifyResponse v = c.blocking.verify(BlobRef.newBuilder().setFid(3).setDeviceId(1).build());
    assertTrue(v.getExists());
    assertFalse(v.getOk());
  }

  @Test
  void replicateCopiesAVerifiedBlobFromAPeer() throws Exception {
    DatanodeServer a = nodes.start(config(dir.resolve("a")));
    DatanodeServer b = nodes.start(config(dir.resolve("b")));
    DataNodeClient ca = nodes.client(a);
    DataNodeClient cb = nodes.client(b);
    byte[] data = new byte[2 * NeedleFormat.CHECKSUM_CHUNK + 3];
    new Random(24).nextBytes(data);
    ca.write(11, 1, data, 1 << 20);
    ReplicateRequest.Builder req = ReplicateRequest.newBuilder().setFid(11).setDeviceId(1)
        .setSourceAddress(a.address()).setSourceDeviceId(1).setExpectedLength(data.length);
    assertEquals(ErrorReason.CHECKSUM_MISMATCH, reason(assertThrows(StatusRuntimeException.class,
        () -> cb.blocking.replicate(req.setExpectedCrc32C(crc(data) + 1).build()))));
    assertFalse(cb.blocking.stat(BlobRef.newBuilder().setFid(11).setDeviceId(1).build()).getExists());
    WriteResponse w = cb.blocking.replicate(req.setExpectedCrc32C(crc(data)).build());
    assertEquals(data.length, w.getLength());
    assertArrayEquals(data, cb.read(11, 1, 0, -1));
    assertEquals(ErrorReason.BLOB_NOT_FOUND, reason(assertThrows(StatusRuntimeException.class,
        () -> cb.blocking.replicate(req.setFid(12).build()))));
  }

  @Test
  void listFidsPagesThroughEveryStoredFidInOrder() throws Exception {
    DataNodeClient c = nodes.client(nodes.start(config(dir)));
    List<Long> stored = new ArrayList<>();
    for (long fid = 1; fid <= 250; fid++) {
      c.blocking.writeSmall(small(fid * 7, new byte[] {(byte) fid}));
      stored.add(fid * 7);
    }
    c.blocking.delete(BlobRef.newBuilder().setFid(7).setDeviceId(1).build());
    stored.remove(Long.valueOf(7));
    List<Long> listed = new ArrayList<>();
    long after = 0;
    do {
      ListBlobsResponse page = c.blocking.listFids(ListBlobsRequest.newBuilder().setDeviceId(1).setAfterFid(after)
          .setLimit(100).build());
      page.getBlobsList().forEach(b -> listed.add(b.getFid()));
      after = page.getNextAfter();
    } while (after != 0);
    assertEquals(stored, listed);
  }

  private static long fileCount(Path d) {
    try (var s = Files.list(d)) {
      return s.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
