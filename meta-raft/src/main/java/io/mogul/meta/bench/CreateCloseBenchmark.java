package io.mogul.meta.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mogul.common.MogulException;
import io.mogul.common.batch.Coalescer;
import io.mogul.common.grpc.ListenableFutures;
import io.mogul.common.net.LoopbackPorts;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.server.TrackerServer;
import io.mogul.meta.store.LiveStore;
import io.mogul.proto.AdminGrpc;
import io.mogul.proto.CreateCloseBatchRequest;
import io.mogul.proto.CreateCloseBatchResponse;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateCloseResult;
import io.mogul.proto.CreateOpenBatchRequest;
import io.mogul.proto.CreateOpenBatchResponse;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.CreateOpenResult;
import io.mogul.proto.DeviceReport;
import io.mogul.proto.DomainRef;
import io.mogul.proto.Empty;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FileInfo;
import io.mogul.proto.HeartbeatRequest;
import io.mogul.proto.RaftRole;
import io.mogul.proto.RegisterRequest;
import io.mogul.proto.RegisterResponse;
import io.mogul.proto.RegistryGrpc;
import io.mogul.proto.TrackerGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Measures committed uploads (create_open followed by create_close) per second through the
 * tracker gRPC API with many concurrent callers, and their latency.
 *
 * <pre>
 * CreateCloseBenchmark [--trackers h:p,h:p,...] [--local-group N] [--batch-in-flight N] [--concurrency 64]
 *                      [--duration-seconds 20] [--count N] [--warmup-seconds 15] [--target all|leader]
 *                      [--client-batch 1] [--coalesce] [--coalesce-in-flight 1] [--processes]
 * </pre>
 * With {@code --client-batch B > 1} every caller uploads B files per round trip through
 * CreateOpenBatch/CreateCloseBatch; latencies are then per batch call. With
 * {@code --coalesce} every caller still uploads one file at a time, but the callers share
 * a {@link Coalescer} per call kind, as the client library does: concurrent opens (and
 * closes) leave together as one batch call, with at most {@code --coalesce-in-flight}
 * batch calls of a kind outstanding.
 * Without {@code --trackers}, a group of {@code --local-group} (default 3) trackers is started
 * on loopback ports, in this JVM or, with {@code --processes}, as separate JVM processes. The benchmark registers three datanode hosts and keeps
 * them heartbeating so that placement has devices to choose from.
 */
@Command(name = "CreateCloseBenchmark", mixinStandardHelpOptions = true,
    description = "Committed create_open + create_close per second through the tracker gRPC API.")
public final class CreateCloseBenchmark implements Callable<Integer> {
  @Option(names = "--trackers", split = ",", paramLabel = "HOST:PORT",
      description = "Trackers to drive (default: start a group of --local-group trackers on loopback ports).")
  private List<String> trackers = new ArrayList<>();
  @Option(names = "--local-group", description = "Trackers to start when none are given (default ${DEFAULT-VALUE}).")
  private int localGroup = 3;
  @Option(names = "--concurrency", description = "Concurrent callers (default ${DEFAULT-VALUE}).")
  private int concurrency = 64;
  @Option(names = "--duration-seconds", description = "Measured time (default ${DEFAULT-VALUE}).")
  private long durationSeconds = 20;
  @Option(names = "--count", description = "Stop after this many uploads instead (0: run for the duration).")
  private long count = 0;
  @Option(names = "--warmup-seconds", description = "Unmeasured load first (default ${DEFAULT-VALUE}).")
  private long warmupSeconds = 15;
  @Option(names = "--target", description = "Send calls to all trackers or to the leader only (default ${DEFAULT-VALUE}).")
  private String target = "all";
  @Option(names = "--batch-in-flight", description = "The started trackers' raft.batchMaxInFlight (default ${DEFAULT-VALUE}).")
  private int batchInFlight = new TrackerConfig().raft.batchMaxInFlight;
  @Option(names = "--client-batch", description = "Uploads per batch call of each caller (default ${DEFAULT-VALUE}).")
  private int clientBatch = 1;
  @Option(names = "--coalesce", description = "Coalesce the callers' single calls into batch calls, as the client library does.")
  private boolean coalesce;
  @Option(names = "--coalesce-in-flight", description = "Batch calls of a kind outstanding with --coalesce (default ${DEFAULT-VALUE}).")
  private int coalesceInFlight = 1;
  @Option(names = "--processes", description = "Start the trackers as separate processes instead of in this JVM.")
  private boolean processes;
  @Spec private CommandSpec spec;

  private CreateCloseBenchmark() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new CreateCloseBenchmark()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!target.equals("all") && !target.equals("leader")) {
      throw new ParameterException(spec.commandLine(), "--target is all or leader, not '" + target + "'");
    }
    if (localGroup < 1 || concurrency < 1 || durationSeconds < 0 || count < 0 || warmupSeconds < 0
        || batchInFlight < 1 || clientBatch < 1 || coalesceInFlight < 1) {
      throw new ParameterException(spec.commandLine(), "counts must be positive and times not negative");
    }
    run();
    return 0;
  }

  private void run() throws Exception {
    List<TrackerServer> local = new ArrayList<>();
    List<Process> children = new CopyOnWriteArrayList<>();
    Path tmp = trackers.isEmpty() ? Files.createTempDirectory("mogul-bench") : null;
    // A driver that dies (out of memory, Ctrl-C) must not leave trackers or their data
    // behind. Cleaning up twice is harmless, so the hook stays after a normal end too.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> cleanUp(children, tmp), "bench-clean-up"));
    if (tmp != null) {
      List<TrackerConfig> configs = groupConfigs(tmp, localGroup, batchInFlight);
      trackers = new ArrayList<>();
      for (TrackerConfig c : configs) {
        trackers.add(c.listen);
        if (processes) {
          children.add(startProcess(tmp, c));
        } else {
          local.add(TrackerServer.start(c));
        }
      }
      System.out.println("started " + localGroup + " trackers " + (processes ? "as separate processes" : "in this JVM")
          + ": " + trackers);
    }
    List<ManagedChannel> channels = new ArrayList<>();
    for (String t : trackers) {
      channels.add(NettyChannelBuilder.forTarget(t).usePlaintext().build());
    }
    ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor();
    try {
      int leader = awaitLeader(channels);
      List<HeartbeatRequest> hbs = setUp(channels.get(leader));
      // The leader applied the registrations; one synchronous round makes its devices writable.
      heartbeat(channels, hbs);
      heartbeats.scheduleWithFixedDelay(() -> heartbeat(channels, hbs), 1, 1, TimeUnit.SECONDS);
      List<ManagedChannel> targets = target.equals("leader") ? List.of(channels.get(leader)) : channels;
      if (warmupSeconds > 0) {
        measure(targets, warmupSeconds, 0, false);
      }
      measure(targets, durationSeconds, count, true);
    } finally {
      heartbeats.shutdownNow();
      channels.forEach(ManagedChannel::shutdownNow);
      for (TrackerServer s : local) {
        s.close();
      }
      cleanUp(children, tmp);
    }
  }

  private static void cleanUp(List<Process> children, Path tmp) {
    stop(children);
    if (tmp != null) {
      try {
        LiveStore.deleteTree(tmp);
      } catch (IOException e) {
        System.err.println("cannot delete " + tmp + ": " + e.getMessage());
      }
    }
  }

  private static void stop(List<Process> children) {
    for (Process p : children) {
      p.destroy();
    }
    for (Process p : children) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  private static Process startProcess(Path dir, TrackerConfig c) throws IOException {
    Path yaml = dir.resolve(c.id + ".yaml");
    new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .writeValue(yaml.toFile(), c);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        TrackerProcess.class.getName(), yaml.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve(c.id + ".log").toFile()).start();
  }

  private static List<TrackerConfig> groupConfigs(Path dir, int n, int batchInFlight) throws IOException {
    List<TrackerConfig.Peer> peers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      peers.add(new TrackerConfig.Peer("t" + (i + 1), "127.0.0.1:" + LoopbackPorts.free(),
          "127.0.0.1:" + LoopbackPorts.free()));
    }
    String group = UUID.randomUUID().toString();
    List<TrackerConfig> configs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TrackerConfig c = new TrackerConfig();
      c.id = peers.get(i).id;
      c.listen = peers.get(i).address;
      c.raftListen = peers.get(i).raftAddress;
      c.groupId = group;
      c.peers = peers;
      c.dataDir = dir.resolve(c.id).toString();
      c.raft.batchMaxInFlight = batchInFlight;
      configs.add(c);
    }
    return configs;
  }

  private static int awaitLeader(List<ManagedChannel> channels) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < channels.size(); i++) {
        try {
          var s = AdminGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(2, TimeUnit.SECONDS)
              .getTrackerStatus(Empty.getDefaultInstance());
          if (s.getRole() == RaftRole.LEADER) {
            return i;
          }
        } catch (RuntimeException e) {
          // not up yet
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no leader within 60 s");
  }

  private static List<HeartbeatRequest> setUp(ManagedChannel leader) {
    try {
      retrying(() -> AdminGrpc.newBlockingStub(leader).createDomain(DomainRef.newBuilder().setName("bench").build()));
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.DOMAIN_EXISTS) {
        throw e;
      }
    }
    List<HeartbeatRequest> hbs = new ArrayList<>();
    for (int h = 1; h <= 3; h++) {
      RegisterRequest request = RegisterRequest.newBuilder().setHostName("bench-dn" + h)
          .setAddress("127.0.0.1:" + (20000 + h)).setZone("z" + h).setDeviceCount(2).build();
      RegisterResponse r = retrying(() -> RegistryGrpc.newBlockingStub(leader).register(request));
      HeartbeatRequest.Builder hb = HeartbeatRequest.newBuilder().setHostId(r.getHostId());
      for (int id : r.getDeviceIdsList()) {
        hb.addDevices(DeviceReport.newBuilder().setDeviceId(id).setCapacityBytes(1L << 42).setUsedBytes(1L << 30)
            .setHealthy(true));
      }
      hbs.add(hb.build());
    }
    return hbs;
  }

  /** Retries while the error is retriable (a leader just elected answers UNAVAILABLE until it is ready). */
  private static <T> T retrying(java.util.function.Supplier<T> call) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return call.get();
      } catch (RuntimeException e) {
        MogulException m = MogulException.from(e);
        if (!m.retriable() || System.nanoTime() > deadline) {
          throw m;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw m;
        }
      }
    }
  }

  private static void heartbeat(List<ManagedChannel> channels, List<HeartbeatRequest> hbs) {
    for (ManagedChannel c : channels) {
      for (HeartbeatRequest hb : hbs) {
        try {
          RegistryGrpc.newBlockingStub(c).withDeadlineAfter(2, TimeUnit.SECONDS).heartbeat(hb);
        } catch (RuntimeException e) {
          // a tracker that has not applied the registration yet; the next round succeeds
        }
      }
    }
  }

  private void measure(List<ManagedChannel> targets, long seconds, long total, boolean report) throws InterruptedException {
    AtomicLong remaining = new AtomicLong(total > 0 ? total : Long.MAX_VALUE);
    AtomicLong errors = new AtomicLong();
    AtomicLong commitsDone = new AtomicLong();
    long[][] openLat = new long[concurrency][];
    long[][] closeLat = new long[concurrency][];
    long[][] commitLat = new long[concurrency][];
    int[] done = new int[concurrency];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch finished = new CountDownLatch(concurrency);
    String run = Long.toString(System.nanoTime(), 36);
    long firstIndex = commitIndex(targets.get(0));
    long start = System.nanoTime();
    BatchedCalls batched = new BatchedCalls(targets.get(0), coalesceInFlight);
    for (int t = 0; t < concurrency; t++) {
      int id = t;
      Thread thread = new Thread(() -> {
        TrackerGrpc.TrackerBlockingStub stub = TrackerGrpc.newBlockingStub(targets.get(id % targets.size()));
        // Grown as needed: at the start they are small enough for thousands of callers.
        long[] o = new long[1 << 10];
        long[] c = new long[1 << 10];
        long[] all = new long[1 << 10];
        int n = 0;
        try {
          while ((total > 0 || System.nanoTime() < deadline) && remaining.decrementAndGet() >= 0) {
            long t0 = System.nanoTime();
            try {
              long t1;
              int committed;
              if (coalesce) {
                String key = run + "/" + id + "/" + n;
                CreateOpenResponse open = MogulException.unwrapJoin(batched.opens.submit(CreateOpenRequest.newBuilder()
                    .setDomain("bench").setKey(key).setSizeHint(4096).build(), deadlineIn(10)));
                t1 = System.nanoTime();
                MogulException.unwrapJoin(batched.closes.submit(closeOf(key, open), deadlineIn(10)));
                committed = 1;
              } else if (clientBatch <= 1) {
                String key = run + "/" + id + "/" + n;
                CreateOpenResponse open = stub.withDeadlineAfter(10, TimeUnit.SECONDS).createOpen(CreateOpenRequest.newBuilder()
                    .setDomain("bench").setKey(key).setSizeHint(4096).build());
                t1 = System.nanoTime();
                stub.withDeadlineAfter(10, TimeUnit.SECONDS).createClose(closeOf(key, open));
                committed = 1;
              } else {
                CreateOpenBatchRequest.Builder opens = CreateOpenBatchRequest.newBuilder();
                for (int i = 0; i < clientBatch; i++) {
                  opens.addItems(CreateOpenRequest.newBuilder().setDomain("bench")
                      .setKey(run + "/" + id + "/" + n + "/" + i).setSizeHint(4096));
                }
                CreateOpenBatchResponse opened = stub.withDeadlineAfter(10, TimeUnit.SECONDS).createOpenBatch(opens.build());
                t1 = System.nanoTime();
                CreateCloseBatchRequest.Builder closes = CreateCloseBatchRequest.newBuilder();
                for (int i = 0; i < opened.getResultsCount(); i++) {
                  if (opened.getResults(i).hasOpen()) {
                    closes.addItems(closeOf(opens.getItems(i).getKey(), opened.getResults(i).getOpen()));
                  } else {
                    errors.incrementAndGet();
                  }
                }
                CreateCloseBatchResponse closed = stub.withDeadlineAfter(10, TimeUnit.SECONDS).createCloseBatch(closes.build());
                committed = 0;
                for (var r : closed.getResultsList()) {
                  if (r.hasFile()) {
                    committed++;
                  } else {
                    errors.incrementAndGet();
                  }
                }
              }
              long t2 = System.nanoTime();
              commitsDone.addAndGet(committed);
              if (n == o.length) {
                o = Arrays.copyOf(o, n * 2);
                c = Arrays.copyOf(c, n * 2);
                all = Arrays.copyOf(all, n * 2);
              }
              o[n] = t1 - t0;
              c[n] = t2 - t1;
              all[n] = t2 - t0;
              n++;
            } catch (RuntimeException e) {
              if (errors.incrementAndGet() <= 5) {
                System.err.println("call failed: " + MogulException.from(e).getMessage());
              }
            }
          }
        } finally {
          openLat[id] = o;
          closeLat[id] = c;
          commitLat[id] = all;
          done[id] = n;
          finished.countDown();
        }
      }, "caller-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    finished.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long entries = commitIndex(targets.get(0)) - firstIndex;
    if (!report) {
      return;
    }
    long commits = commitsDone.get();
    System.out.printf(Locale.ROOT,
        "trackers=%d target=%s concurrency=%d client-batch=%d coalesce=%s coalesce-in-flight=%d duration=%.1fs"
            + " commits=%d errors=%d%n",
        targets.size(), target, concurrency, clientBatch, coalesce, coalesceInFlight, elapsed, commits, errors.get());
    System.out.printf(Locale.ROOT, "commits/s=%.0f (each commit = create_open + create_close)%n", commits / elapsed);
    // Only create_close is logged; create_open is answered from the leader's memory.
    System.out.printf(Locale.ROOT, "raft log entries/s=%.0f, create_close commands per entry=%.1f%n",
        entries / elapsed, entries == 0 ? 0.0 : (double) commits / entries);
    String unit = clientBatch > 1 ? " (per batch call of " + clientBatch + ")" : "";
    printLatency("create_open " + unit, openLat, done);
    printLatency("create_close" + unit, closeLat, done);
    printLatency("open+close  " + unit, commitLat, done);
  }

  /** The Raft commit index as one tracker reports it. */
  private static long commitIndex(ManagedChannel channel) {
    return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getTrackerStatus(Empty.getDefaultInstance()).getCommitIndex();
  }

  private static long deadlineIn(long seconds) {
    return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
  }

  /** Shared coalescers turning the callers' single opens and closes into batch calls. */
  private static final class BatchedCalls {
    private static final int MAX_BATCH = 1024;
    final Coalescer<CreateOpenRequest, CreateOpenResponse> opens;
    final Coalescer<CreateCloseRequest, FileInfo> closes;

    BatchedCalls(ManagedChannel channel, int maxInFlight) {
      TrackerGrpc.TrackerFutureStub stub = TrackerGrpc.newFutureStub(channel);
      opens = new Coalescer<>((items, deadline) -> ListenableFutures.toCompletable(stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .createOpenBatch(CreateOpenBatchRequest.newBuilder().addAllItems(items).build()))
          .thenApply(r -> Coalescer.outcomes(r.getResultsList(), CreateOpenResult::hasError, CreateOpenResult::getError,
              CreateOpenResult::getOpen)), MAX_BATCH, maxInFlight);
      closes = new Coalescer<>((items, deadline) -> ListenableFutures.toCompletable(stub.withDeadlineAfter(10, TimeUnit.SECONDS)
          .createCloseBatch(CreateCloseBatchRequest.newBuilder().addAllItems(items).build()))
          .thenApply(r -> Coalescer.outcomes(r.getResultsList(), CreateCloseResult::hasError, CreateCloseResult::getError,
              CreateCloseResult::getFile)), MAX_BATCH, maxInFlight);
    }
  }

  private static CreateCloseRequest closeOf(String key, CreateOpenResponse open) {
    CreateCloseRequest.Builder close = CreateCloseRequest.newBuilder().setDomain("bench").setKey(key)
        .setFid(open.getFid()).setLength(4096).setCrc32C(0x1234);
    for (int i = 0; i < Math.min(open.getMindevcount(), open.getDevicesCount()); i++) {
      close.addDeviceIds(open.getDevices(i).getDeviceId());
    }
    return close.build();
  }

  private static void printLatency(String what, long[][] perThread, int[] counts) {
    long total = Arrays.stream(counts).sum();
    long[] all = new long[(int) total];
    int k = 0;
    for (int t = 0; t < perThread.length; t++) {
      System.arraycopy(perThread[t], 0, all, k, counts[t]);
      k += counts[t];
    }
    Arrays.sort(all);
    if (all.length == 0) {
      System.out.println(what + " no samples");
      return;
    }
    System.out.printf(Locale.ROOT, "%s latency ms: p50=%.2f p90=%.2f p99=%.2f max=%.2f%n", what,
        all[(int) (all.length * 0.50)] / 1e6, all[(int) (all.length * 0.90)] / 1e6,
        all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6, all[all.length - 1] / 1e6);
  }
}
