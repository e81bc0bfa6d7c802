package io.mogul.datanode.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.datanode.storage.NeedleIndex;
import io.mogul.datanode.storage.NeedleLocation;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallAck;
import io.mogul.proto.WriteSmallRequest;
import io.mogul.proto.WriteTrailer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures one datanode: fsync'ed 4 KiB writes/s with 16 concurrent streams (unary
 * {@code WriteSmall} calls, one in flight per stream, and pipelined {@code WriteSmallStream}
 * calls with a window of writes in flight per stream), 4 KiB reads/s (one {@code Read} call
 * in flight per stream, and pipelined {@code ReadSmallStream} calls with a window of reads in
 * flight per stream), MB/s writing and reading 64 MiB blobs, and heap bytes per blob of the
 * needle index with 1,000,000 blobs.
 *
 * <p>Usage: {@code DatanodeBenchmark [--address host:port] [--device N] [--dir DIR]
 * [--seconds S] [--streams N] [--window W] [--large-blobs N] [--warmup S]}. Without an
 * address a standalone datanode is started in this JVM on a temporary directory (or
 * {@code --dir}), with {@code server.maxPipelinedWrites} and {@code server.maxPipelinedReads}
 * set to the window; after its restart both kinds of reads are measured once more with the other read mode (on the transport threads,
 * {@code server.readThreads: 0}, when the default uses read threads; else 8 read threads)
 * for comparison.
 */
@Command(name = "DatanodeBenchmark", mixinStandardHelpOptions = true,
    description = "One datanode's small writes and reads, large blobs, and index heap per blob.")
public final class DatanodeBenchmark implements Callable<Integer> {
  @Option(names = "--address", paramLabel = "HOST:PORT",
      description = "A running datanode (default: start one in this JVM).") String address;
  @Option(names = "--dir", description = "Data directory of the started datanode (default: a temporary one).") Path dir;
  @Option(names = "--device", description = "Device id to write to (default ${DEFAULT-VALUE}).") int device = 1;
  @Option(names = "--seconds", description = "Seconds per measurement (default ${DEFAULT-VALUE}).") int seconds = 10;
  @Option(names = "--streams", description = "Concurrent streams (default ${DEFAULT-VALUE}).") int streams = 16;
  @Option(names = "--large-blobs", description = "64 MiB blobs to write and read (default ${DEFAULT-VALUE}).")
  int largeBlobs = 16;
  @Option(names = "--warmup", description = "Unmeasured seconds per kind of call first (default ${DEFAULT-VALUE}).")
  int warmup = 10;
  @Option(names = "--window", description = "Pipelined calls in flight per stream (default ${DEFAULT-VALUE}).")
  int window = 64;
  @Spec CommandSpec spec;

  private DatanodeBenchmark() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new DatanodeBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (device < 1 || seconds < 1 || streams < 1 || largeBlobs < 0 || warmup < 0 || window < 1) {
      throw new ParameterException(spec.commandLine(),
          "--device, --seconds, --streams and --window must be positive; --large-blobs and --warmup not negative");
    }
    String address = this.address;
    DatanodeServer server = null;
    DatanodeConfig c = new DatanodeConfig();
    if (address == null) {
      c.listen = "127.0.0.1:0";
      c.dataDir = (dir != null ? dir : Files.createTempDirectory("mogul-bench")).toString();
      c.trackers = List.of();
      c.devices = 1;
      c.reserveBytes = 1L << 30;
      c.server.maxPipelinedWrites = window;
      c.server.maxPipelinedReads = window;
      server = DatanodeServer.start(c);
      address = server.address();
      System.out.println("started standalone datanode at " + address + " on " + c.dataDir);
    }
    ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().directExecutor()
        .maxInboundMessageSize(32 << 20).build();
    long fidBase = System.currentTimeMillis() << 16;
    long written;
    try {
      if (warmup > 0) {
        // Unmeasured rounds first, so JIT compilation does not count against the figures.
        System.out.println("warm-up (not measured):");
        long warmed = smallWrites(channel, device, fidBase + (1L << 45), streams, warmup);
        pipelinedWrites(channel, device, fidBase + (1L << 45) + (1L << 43), streams, window, warmup);
        smallReads(channel, device, fidBase + (1L << 45), warmed, streams, warmup);
        pipelinedReads(channel, device, fidBase + (1L << 45), warmed, streams, window, warmup);
        System.out.println("measured:");
      }
      if (server != null) {
        engineWrites(server, device, fidBase + (1L << 44), streams, seconds);
      }
      GroupCommit unary = server == null ? null : GroupCommit.of(server, device);
      written = smallWrites(channel, device, fidBase, streams, seconds);
      if (server != null) {
        unary.printSince(server, device);
      }
      GroupCommit pipelined = server == null ? null : GroupCommit.of(server, device);
      pipelinedWrites(channel, device, fidBase + (1L << 43), streams, window, seconds);
      if (server != null) {
        pipelined.printSince(server, device);
      }
      if (server != null) {
        System.out.printf("reads, server.readThreads %d:%n", c.server.readThreads);
      }
      smallReads(channel, device, fidBase, written, streams, seconds);
      pipelinedReads(channel, device, fidBase, written, streams, window, seconds);
      largeBlobs(channel, device, fidBase + (1L << 40), streams, largeBlobs);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      if (server != null) {
        server.close();
      }
    }
    if (server != null) {
      // The restarted datanode reads the other way: on its transport threads, or on 8 read threads.
      c.server.readThreads = c.server.readThreads > 0 ? 0 : 8;
      restartAndReadAgain(c, device, fidBase, written, streams, window, seconds, warmup);
    }
    indexHeapPerBlob(1_000_000);
    return 0;
  }

  /**
   * Restarts the datanode (timing the re-index), then measures 4 KiB reads again with the
   * restarted datanode's read settings, after a warm-up round of its own.
   */
  private static void restartAndReadAgain(DatanodeConfig c, int device, long fidBase, long written, int streams,
      int window, int seconds, int warmup) throws Exception {
    long start = System.nanoTime();
    try (DatanodeServer again = DatanodeServer.start(c)) {
      System.out.printf("restart: %,d blobs indexed again in %.0f ms%n",
          again.store().device(device).index().size(), (System.nanoTime() - start) / 1e6);
      ManagedChannel channel = NettyChannelBuilder.forTarget(again.address()).usePlaintext().directExecutor()
          .maxInboundMessageSize(32 << 20).build();
      try {
        if (warmup > 0) {
          System.out.printf("reads again, server.readThreads %d, warm-up (not measured):%n", c.server.readThreads);
          smallReads(channel, device, fidBase, written, streams, warmup);
          pipelinedReads(channel, device, fidBase, written, streams, window, warmup);
        }
        System.out.printf("reads again, server.readThreads %d, measured:%n", c.server.readThreads);
        smallReads(channel, device, fidBase, written, streams, seconds);
        pipelinedReads(channel, device, fidBase, written, streams, window, seconds);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** Group-commit counters of a device's writer at one moment, to report a phase's batches. */
  private record GroupCommit(long batches, long ops, long syncNanos) {
    static GroupCommit of(DatanodeServer server, int device) {
      var w = server.store().device(device).writer();
      return new GroupCommit(w.batches(), w.batchedOps(), w.syncNanos());
    }

    void printSince(DatanodeServer server, int device) {
      GroupCommit now = of(server, device);
      long b = Math.max(1, now.batches - batches);
      System.out.printf("  group commit: %,d batches, %.1f writes per batch, %.2f ms fsync per batch%n",
          now.batches - batches, (double) (now.ops - ops) / b, (now.syncNanos - syncNanos) / 1e6 / b);
    }
  }

  private interface StreamBody {
    void run(int stream, SplittableRandom random) throws Exception;
  }

  /** Runs one loop per stream until the deadline; returns operations done. */
  private static long runStreams(int streams, int seconds, AtomicLong ops, StreamBody body) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int s = 0; s < streams; s++) {
      int stream = s;
      threads.add(new Thread(() -> {
        SplittableRandom r = new SplittableRandom(stream);
        try {
          while (System.nanoTime() < deadline) {
            body.run(stream, r);
            ops.incrementAndGet();
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }));
    }
    long cpuBefore = processCpuNanos();
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    System.out.printf("  (process CPU %.0f us per operation, client and in-process server together)%n",
        (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, ops.get()));
    if (!failures.isEmpty()) {
      throw new IllegalStateException("benchmark stream failed", failures.get(0));
    }
    return ops.get();
  }

  /** The storage engine alone: 16 threads appending 4 KiB blobs through the group-commit writer. */
  private static void engineWrites(DatanodeServer server, int device, long fidBase, int streams, int seconds)
      throws Exception {
    byte[] data = new byte[4096];
    new SplittableRandom(4).nextBytes(data);
    AtomicLong next = new AtomicLong();
    AtomicLong ops = new AtomicLong();
    var writer = server.store().device(device).writer();
    long batches = writer.batches();
    long start = System.nanoTime();
    runStreams(streams, seconds, ops, (stream, r) ->
        server.store().writeSmall(device, fidBase + next.incrementAndGet(), ByteBuffer.wrap(data)).get());
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("engine only (no gRPC), fsync'ed 4 KiB writes: %,.0f writes/s, %.1f writes per fsync batch%n",
        ops.get() / secs, (double) ops.get() / Math.max(1, writer.batches() - batches));
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** One asynchronous operation: calls {@code done} with null on success or the failure. */
  private interface AsyncOp {
    void start(SplittableRandom random, java.util.function.Consumer<Throwable> done);
  }

  /**
   * Keeps {@code streams} operations in flight until the deadline: each completion starts
   * the stream's next operation from the transport callback, so no client thread parks per call.
   */
  private static long runAsyncStreams(int streams, int seconds, AsyncOp op) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong ops = new AtomicLong();
    java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(streams);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    long cpuBefore = processCpuNanos();
    for (int s = 0; s < streams; s++) {
      SplittableRandom r = new SplittableRandom(s);
      java.util.function.Consumer<Throwable>[] loop = new java.util.function.Consumer[1];
      loop[0] = err -> {
        if (err != null) {
          failure.compareAndSet(null, err);
          finished.countDown();
        } else if (System.nanoTime() >= deadline) {
          finished.countDown();
        } else {
          op.start(r, e -> {
            if (e == null) {
              ops.incrementAndGet();
            }
            loop[0].accept(e);
          });
        }
      };
      loop[0].accept(null);
    }
    finished.await();
    System.out.printf("  (process CPU %.0f us per operation, client and in-process server together)%n",
        (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, ops.get()));
    if (failure.get() != null) {
      throw new IllegalStateException("benchmark stream failed", failure.get());
    }
    return ops.get();
  }

  private static long smallWrites(ManagedChannel channel, int device, long fidBase, int streams, int seconds)
      throws Exception {
    DataNodeGrpc.DataNodeStub stub = DataNodeGrpc.newStub(channel);
    byte[] data = new byte[4096];
    new SplittableRandom(1).nextBytes(data);
    CRC32C crc = new CRC32C();
    crc.update(data);
    ByteString payload = ByteString.copyFrom(data);
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime();
    long ops = runAsyncStreams(streams, seconds, (r, done) -> stub.writeSmall(WriteSmallRequest.newBuilder()
        .setFid(fidBase + next.incrementAndGet()).setDeviceId(device).setData(payload)
        .setCrc32C((int) crc.getValue()).build(), new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(WriteResponse value) {}

          @Override
          public void onError(Throwable t) {
            done.accept(t);
          }

          @Override
          public void onCompleted() {
            done.accept(null);
          }
        }));
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("fsync'ed 4 KiB writes, %d unary streams (one WriteSmall in flight each): %,d in %.1f s = "
        + "%,.0f writes/s%n", streams, ops, secs, ops / secs);
    return next.get();
  }

  /**
   * Fsync'ed 4 KiB writes through {@code WriteSmallStream}: each of {@code streams} calls keeps
   * up to {@code window} writes unacknowledged (and sends only while the transport is ready),
   * sending the next as acks come back, until the deadline; then it half-closes and waits for
   * the remaining acks. Runs on the channel's transport thread, like the unary phase.
   */
  private static void pipelinedWrites(ManagedChannel channel, int device, long fidBase, int streams, int window,
      int seconds) throws Exception {
    DataNodeGrpc.DataNodeStub stub = DataNodeGrpc.newStub(channel);
    byte[] data = new byte[4096];
    new SplittableRandom(5).nextBytes(data);
    CRC32C crc = new CRC32C();
    crc.update(data);
    int dataCrc = (int) crc.getValue();
    ByteString payload = ByteString.copyFrom(data);
    AtomicLong next = new AtomicLong();
    AtomicLong acked = new AtomicLong();
    java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(streams);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    long cpuBefore = processCpuNanos();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    for (int s = 0; s < streams; s++) {
      stub.writeSmallStream(new ClientResponseObserver<WriteSmallRequest, WriteSmallAck>() {
        private ClientCallStreamObserver<WriteSmallRequest> out;
        private int inFlight;
        private boolean closed;

        @Override
        public void beforeStart(ClientCallStreamObserver<WriteSmallRequest> requests) {
          out = requests;
          out.setOnReadyHandler(this::pump);
        }

        private synchronized void pump() {
          if (closed) {
            return;
          }
          if (System.nanoTime() >= deadline || failure.get() != null) {
            closed = true;
            out.onCompleted();
            return;
          }
          while (inFlight < window && out.isReady()) {
            out.onNext(WriteSmallRequest.newBuilder().setFid(fidBase + next.incrementAndGet()).setDeviceId(device)
                .setData(payload).setCrc32C(dataCrc).build());
            inFlight++;
          }
        }

        @Override
        public void onNext(WriteSmallAck ack) {
          if (ack.getError() != ErrorReason.ERROR_REASON_UNSPECIFIED) {
            failure.compareAndSet(null, new IllegalStateException("write of fid " + ack.getFid() + " failed: "
                + ack.getError() + " " + ack.getErrorMessage()));
          } else {
            acked.incrementAndGet();
          }
          synchronized (this) {
            inFlight--;
          }
          pump();
        }

        @Override
        public void onError(Throwable t) {
          failure.compareAndSet(null, t);
          finished.countDown();
        }

        @Override
        public void onCompleted() {
          finished.countDown();
        }
      });
    }
    finished.await();
    double secs = (System.nanoTime() - start) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("pipelined write stream failed", failure.get());
    }
    System.out.printf("fsync'ed 4 KiB writes, %d pipelined streams (window %d): %,d in %.1f s = %,.0f writes/s%n",
        streams, window, acked.get(), secs, acked.get() / secs);
    System.out.printf("  (process CPU %.0f us per operation, client and in-process server together)%n",
        (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, acked.get()));
  }

  private static void smallReads(ManagedChannel channel, int device, long fidBase, long written, int streams,
      int seconds) throws Exception {
    DataNodeGrpc.DataNodeStub stub = DataNodeGrpc.newStub(channel);
    long start = System.nanoTime();
    long ops = runAsyncStreams(streams, seconds, (r, done) -> stub.read(ReadRequest.newBuilder()
        .setFid(fidBase + 1 + r.nextLong(written)).setDeviceId(device).setLength(-1).build(),
        new io.grpc.stub.StreamObserver<>() {
          private long got;

          @Override
          public void onNext(ReadResponse value) {
            got += value.getChunk().size();
          }

          @Override
          public void onError(Throwable t) {
            done.accept(t);
          }

          @Override
          public void onCompleted() {
            done.accept(got == 4096 ? null : new IllegalStateException("read " + got + " bytes"));
          }
        }));
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("4 KiB reads: %,d in %.1f s = %,.0f reads/s (%d streams)%n", ops, secs, ops / secs, streams);
  }

  /**
   * 4 KiB reads through {@code ReadSmallStream} (random fids among the {@code written} of the
   * unary write phase): each of {@code streams} calls keeps up to {@code window} reads
   * outstanding (and sends only while the transport is ready), sending the next as replies
   * come back, until the deadline; then it half-closes and waits for the remaining replies.
   * Every reply must carry 4096 bytes. Runs on the channel's transport thread.
   */
  private static void pipelinedReads(ManagedChannel channel, int device, long fidBase, long written, int streams,
      int window, int seconds) throws Exception {
    DataNodeGrpc.DataNodeStub stub = DataNodeGrpc.newStub(channel);
    AtomicLong read = new AtomicLong();
    java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(streams);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    long cpuBefore = processCpuNanos();
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
    for (int s = 0; s < streams; s++) {
      SplittableRandom random = new SplittableRandom(100 + s);
      stub.readSmallStream(new ClientResponseObserver<ReadSmallRequest, ReadSmallReply>() {
        private ClientCallStreamObserver<ReadSmallRequest> out;
        private int inFlight;
        private boolean closed;

        @Override
        public void beforeStart(ClientCallStreamObserver<ReadSmallRequest> requests) {
          out = requests;
          out.setOnReadyHandler(this::pump);
        }

        private synchronized void pump() {
          if (closed) {
            return;
          }
          if (System.nanoTime() >= deadline || failure.get() != null) {
            closed = true;
            out.onCompleted();
            return;
          }
          while (inFlight < window && out.isReady()) {
            out.onNext(ReadSmallRequest.newBuilder().setFid(fidBase + 1 + random.nextLong(written))
                .setDeviceId(device).build());
            inFlight++;
          }
        }

        @Override
        public void onNext(ReadSmallReply reply) {
          if (reply.getError() != ErrorReason.ERROR_REASON_UNSPECIFIED) {
            failure.compareAndSet(null, new IllegalStateException("read of fid " + reply.getFid() + " failed: "
                + reply.getError() + " " + reply.getErrorMessage()));
          } else if (reply.getData().size() != 4096) {
            failure.compareAndSet(null, new IllegalStateException("read " + reply.getData().size() + " bytes"));
          } else {
            read.incrementAndGet();
          }
          synchronized (this) {
            inFlight--;
          }
          pump();
        }

        @Override
        public void onError(Throwable t) {
          failure.compareAndSet(null, t);
          finished.countDown();
        }

        @Override
        public void onCompleted() {
          finished.countDown();
        }
      });
    }
    finished.await();
    double secs = (System.nanoTime() - start) / 1e9;
    if (failure.get() != null) {
      throw new IllegalStateException("pipelined read stream failed", failure.get());
    }
    System.out.printf("4 KiB reads, %d pipelined streams (window %d): %,d in %.1f s = %,.0f reads/s%n", streams,
        window, read.get(), secs, read.get() / secs);
    System.out.printf("  (process CPU %.0f us per operation, client and in-process server together)%n",
        (processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, read.get()));
  }

  private static void largeBlobs(ManagedChannel channel, int device, long fidBase, int streams, int count)
      throws Exception {
    final int size = 64 << 20;
    final int chunk = 1 << 20;
    byte[] pattern = new byte[chunk];
    new SplittableRandom(2).nextBytes(pattern);
    ByteString piece = ByteString.copyFrom(pattern);
    CRC32C whole = new CRC32C();
    for (int i = 0; i < size / chunk; i++) {
      whole.update(pattern);
    }
    int crc = (int) whole.getValue();
    DataNodeGrpc.DataNodeStub async = DataNodeGrpc.newStub(channel);
    AtomicLong next = new AtomicLong();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < Math.min(streams, count); s++) {
      threads.add(new Thread(() -> {
        long n;
        while ((n = next.getAndIncrement()) < count) {
          writeStream(async, fidBase + n, device, size, piece, crc).join();
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("64 MiB blob writes: %d blobs in %.1f s = %.0f MB/s%n", count, secs,
        (double) count * size / 1e6 / secs);
    DataNodeGrpc.DataNodeBlockingStub stub = DataNodeGrpc.newBlockingStub(channel);
    AtomicLong read = new AtomicLong();
    next.set(0);
    start = System.nanoTime();
    threads.clear();
    for (int s = 0; s < Math.min(streams, count); s++) {
      threads.add(new Thread(() -> {
        long n;
        while ((n = next.getAndIncrement()) < count) {
          Iterator<ReadResponse> it = stub.read(ReadRequest.newBuilder().setFid(fidBase + n).setDeviceId(device)
              .setLength(-1).build());
          while (it.hasNext()) {
            read.addAndGet(it.next().getChunk().size());
          }
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("64 MiB blob reads: %,d bytes in %.1f s = %.0f MB/s%n", read.get(), secs, read.get() / 1e6 / secs);
  }

  private static CompletableFuture<WriteResponse> writeStream(DataNodeGrpc.DataNodeStub async, long fid, int device,
      int size, ByteString piece, int crc) {
    CompletableFuture<WriteResponse> done = new CompletableFuture<>();
    async.write(new ClientResponseObserver<WriteRequest, WriteResponse>() {
      private long sent = -1; // -1: header not yet sent

      @Override
      public void beforeStart(ClientCallStreamObserver<WriteRequest> out) {
        out.setOnReadyHandler(() -> {
          synchronized (this) {
            while (out.isReady() && sent < size) {
              if (sent < 0) {
                out.onNext(WriteRequest.newBuilder().setHeader(WriteHeader.newBuilder().setFid(fid)
                    .setDeviceId(device).setExpectedLength(size)).build());
                sent = 0;
                continue;
              }
              out.onNext(WriteRequest.newBuilder().setChunk(piece).build());
              sent += piece.size();
              if (sent >= size) {
                out.onNext(WriteRequest.newBuilder().setTrailer(WriteTrailer.newBuilder().setLength(size)
                    .setCrc32C(crc)).build());
                out.onCompleted();
              }
            }
          }
        });
      }

      @Override
      public void onNext(WriteResponse value) {
        done.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return done;
  }

  /** Heap growth of a needle index holding {@code blobs} entries, per entry. */
  static void indexHeapPerBlob(int blobs) throws InterruptedException {
    long before = usedHeap();
    NeedleIndex index = new NeedleIndex();
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < blobs; i++) {
      index.put(new NeedleLocation(r.nextLong() | 1, 1 + i / 100_000, 16 + 8L * i, 4096, 0));
    }
    long after = usedHeap();
    System.out.printf("needle index: %,d blobs, %.1f heap bytes per blob measured (%.1f by array size)%n",
        index.size(), (double) (after - before) / blobs, (double) index.arrayBytes() / blobs);
  }

  private static long usedHeap() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }
}
