package io.mogul.chaos;

import io.mogul.chaos.fault.Fault;
import io.mogul.chaos.fault.FaultContext;
import io.mogul.chaos.history.History;
import io.mogul.chaos.history.Op;
import io.mogul.chaos.net.ConnectProxy;
import io.mogul.chaos.net.FaultProxy;
import io.mogul.chaos.report.Report;
import io.mogul.chaos.traffic.ClientOps;
import io.mogul.chaos.traffic.Workload;
import io.mogul.chaos.validate.ClusterState;
import io.mogul.chaos.validate.HistoryValidator;
import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.client.MogulClient;
import io.mogul.client.RetryPolicy;
import io.mogul.common.MogulException;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReplicationPolicy;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run: start a process cluster behind fault proxies, drive the workload, inject
 * seeded faults with a health check before and after each, heal everything, then validate
 * the recorded history and the cluster's state and write the report.
 */
public final class ChaosRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ChaosRunner.class);
  static final String DOMAIN = "chaos";

  private final ChaosSettings settings;
  private final PrintStream out;

  public ChaosRunner(ChaosSettings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  public Report run() throws Exception {
    Report report = new Report();
    report.seed = settings.seed();
    report.settings.put("durationMs", settings.duration().toMillis());
    report.settings.put("workers", settings.workers());
    report.settings.put("datanodes", settings.datanodes());
    report.settings.put("mindevcount", settings.mindevcount());
    report.settings.put("faults", settings.faults());
    report.settings.put("defectiveDatanodes", settings.defectiveDatanodes());
    out.println("chaos run with seed " + settings.seed() + " (replay with --seed " + settings.seed() + ")");
    Files.createDirectories(settings.baseDir());
    Random random = new Random(settings.seed());
    Map<String, FaultProxy> ingress = new HashMap<>();
    Map<String, ConnectProxy> egress = new HashMap<>();
    long setupStarted = System.currentTimeMillis();
    long started = setupStarted;
    try (ProcessCluster cluster = startCluster(ingress, egress);
         MogulClient client = MogulClient.builder().trackers(cluster.trackerAddresses())
             .callTimeout(Duration.ofSeconds(5)).operationTimeout(Duration.ofSeconds(30))
             .retryPolicy(new RetryPolicy(8, Duration.ofMillis(50), Duration.ofSeconds(1))).build()) {
      prepareDomain(client);
      // The scenario's clock starts once the cluster serves; start-up is reported apart.
      started = System.currentTimeMillis();
      report.settings.put("startupMs", started - setupStarted);
      History history = new History();
      Workload workload = new Workload(new ClientOps(client), history, DOMAIN, "", settings.seed(),
          new Workload.Shape(settings.workers(), settings.sharedKeys(), settings.maxValueBytes(), 1_000_000));
      FaultContext context = new FaultContext(cluster, ingress, egress, client, history, DOMAIN, settings.seed(),
          settings.mindevcount(), random);
      workload.start();
      long end = started + settings.duration().toMillis();
      int probes = 0;
      while (System.currentTimeMillis() + settings.quietPeriod().toMillis() < end) {
        // Traffic runs without faults for the quiet period: this wait is the scenario itself.
        Thread.sleep(settings.quietPeriod().toMillis());
        String name = settings.faults().get(random.nextInt(settings.faults().size()));
        Fault fault = FaultCatalog.create(name);
        if (!serving(client, probes++, settings.recoveryBound())) {
          report.problems.add("cluster not serving before " + name);
        }
        long injectedAt = System.currentTimeMillis();
        Fault.Injected injected = fault.inject(context);
        if (injected == null) {
          continue;
        }
        out.printf("  %6.1fs  inject %-16s %s%n", (injectedAt - started) / 1000.0, name, injected.target());
        Thread.sleep(settings.faultHold().toMillis());
        injected.heal();
        long healedAt = System.currentTimeMillis();
        boolean recovered = serving(client, probes++, settings.recoveryBound());
        long recovery = System.currentTimeMillis() - healedAt;
        out.printf("  %6.1fs  healed %-16s recovered in %d ms%n", (healedAt - started) / 1000.0, name, recovery);
        report.faults.add(new Report.FaultRecord(name, injected.target(), injectedAt - started, healedAt - started,
            recovery, recovered));
      }
      workload.stop(120_000);
      healEverything(cluster, ingress, egress);
      cluster.awaitReady(settings.recoveryBound());
      report.replication = awaitReplication(cluster);
      compareTrackers(cluster, report);
      int firstFinal = history.ops().size();
      finalReads(workload, history, report);
      HistoryValidator.Result result = new HistoryValidator(2_000_000).validate(history.ops(), firstFinal);
      report.apply(result);
      count(history.ops(), firstFinal, report);
    } finally {
      ingress.values().forEach(FaultProxy::close);
      egress.values().forEach(ConnectProxy::close);
    }
    report.durationMs = System.currentTimeMillis() - started;
    report.writeJson(settings.baseDir().resolve("chaos-report.json"));
    report.printSummary(out);
    out.println("report: " + settings.baseDir().resolve("chaos-report.json"));
    return report;
  }

  private ProcessCluster startCluster(Map<String, FaultProxy> ingress, Map<String, ConnectProxy> egress)
      throws IOException, InterruptedException {
    List<String> datanodeOverrides = new ArrayList<>();
    if (settings.defectiveDatanodes()) {
      datanodeOverrides.add("unsafe.acknowledgeBeforeWriting=true");
    }
    return ProcessCluster.builder(settings.baseDir().resolve("cluster"))
        .trackers(3)
        .datanodes(settings.datanodes())
        .devicesPerDatanode(1)
        .datanodeOverrides(datanodeOverrides)
        .trackerNetwork(new ProcessCluster.TrackerNetwork() {
          @Override
          public String raftAddress(String trackerId, int raftPort) throws IOException {
            FaultProxy proxy = FaultProxy.start(0, new InetSocketAddress("127.0.0.1", raftPort));
            ingress.put(trackerId, proxy);
            return "127.0.0.1:" + proxy.port();
          }

          @Override
          public List<String> javaOptions(String trackerId) throws IOException {
            ConnectProxy proxy = ConnectProxy.start();
            egress.put(trackerId, proxy);
            return proxy.jvmOptions();
          }
        })
        .start(Duration.ofSeconds(120));
  }

  private void prepareDomain(MogulClient client) {
    try {
      client.admin(a -> a.createDomain(DomainRef.newBuilder().setName(DOMAIN).build()));
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.DOMAIN_EXISTS) {
        throw e;
      }
    }
    client.admin(a -> a.updateClass(ClassSpec.newBuilder().setDomain(DOMAIN).setName("default")
        .setMindevcount(settings.mindevcount()).setPolicy(ReplicationPolicy.MULTIPLE_HOSTS).build()));
  }

  /**
   * Waits until a put of a probe key (outside the checked workload) is acknowledged and
   * then reads back; the put is repeated only while it fails.
   */
  private static boolean serving(MogulClient client, int probe, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    byte[] data = ("probe " + probe).getBytes(StandardCharsets.UTF_8);
    String key = "probe/" + probe;
    boolean stored = false;
    while (System.nanoTime() < deadline) {
      try {
        if (!stored) {
          client.put(DOMAIN, key, data);
          stored = true;
        }
        if (Arrays.equals(data, client.get(DOMAIN, key))) {
          return true;
        }
      } catch (MogulException e) {
        LOG.debug("probe {} not served yet: {}", probe, e.getMessage());
      }
      Thread.sleep(100);
    }
    return false;
  }

  private static void healEverything(ProcessCluster cluster, Map<String, FaultProxy> ingress,
      Map<String, ConnectProxy> egress) throws IOException {
    ingress.values().forEach(FaultProxy::heal);
    egress.values().forEach(ConnectProxy::heal);
    List<NodeProcess> all = new ArrayList<>(cluster.trackers());
    all.addAll(cluster.datanodes());
    for (NodeProcess node : all) {
      node.resume();
      if (!node.isAlive()) {
        node.start();
      }
    }
  }

  private Report.Replication awaitReplication(ProcessCluster cluster) throws InterruptedException {
    long start = System.currentTimeMillis();
    long deadline = start + settings.replicationBound().toMillis();
    long[] last = {-1, -1};
    try (ClusterState state = new ClusterState(cluster.trackerAddresses())) {
      while (System.currentTimeMillis() < deadline) {
        try {
          last = state.underReplicated(settings.mindevcount());
          if (last[0] == 0) {
            return new Report.Replication(last[1], 0, System.currentTimeMillis() - start, true);
          }
        } catch (RuntimeException e) {
          LOG.debug("replication check failed, retrying: {}", e.getMessage());
        }
        Thread.sleep(500);
      }
    }
    return new Report.Replication(last[1], last[0], System.currentTimeMillis() - start, false);
  }

  /** All trackers must hold the same state once their applied indexes agree. */
  private static void compareTrackers(ProcessCluster cluster, Report report) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    String detail = "applied indexes never agreed";
    try (ClusterState state = new ClusterState(cluster.trackerAddresses())) {
      while (System.currentTimeMillis() < deadline) {
        try {
          List<ClusterState.Snapshot> snaps = state.snapshots();
          Set<Long> indexes = new HashSet<>();
          snaps.forEach(s -> indexes.add(s.appliedIndex()));
          if (indexes.size() == 1) {
            ClusterState.Snapshot first = snaps.get(0);
            for (ClusterState.Snapshot s : snaps) {
              if (!s.lines().equals(first.lines())) {
                report.trackersIdentical = false;
                report.trackersDetail = s.tracker() + " differs from " + first.tracker() + " at index "
                    + s.appliedIndex();
                return;
              }
            }
            report.trackersIdentical = true;
            report.trackersDetail = snaps.size() + " trackers at applied index " + first.appliedIndex();
            return;
          }
          detail = "applied indexes " + indexes;
        } catch (RuntimeException e) {
          detail = e.getMessage();
        }
        Thread.sleep(300);
      }
    }
    report.trackersIdentical = false;
    report.trackersDetail = detail;
  }

  /** Reads every key until it answers definitely; keys holding acknowledged data that never answer are lost. */
  private static void finalReads(Workload workload, History history, Report report) throws InterruptedException {
    for (int attempt = 0; attempt < 5; attempt++) {
      Set<String> undecided = workload.finalReads(attempt == 0 ? null : lastUndecided(history));
      if (undecided.isEmpty()) {
        return;
      }
      Thread.sleep(1000);
    }
    for (String key : lastUndecided(history)) {
      report.unreadable.add(new HistoryValidator.Finding(key, "unreadable",
          "the key's final reads kept failing after every fault healed"));
    }
  }

  private static Set<String> lastUndecided(History history) {
    Map<String, Op> lastGet = new HashMap<>();
    for (Op op : history.ops()) {
      if (op.kind() == Op.Kind.GET) {
        lastGet.put(op.key(), op);
      }
    }
    Set<String> undecided = new HashSet<>();
    lastGet.forEach((key, op) -> {
      if (op.outcome() == Op.Outcome.UNKNOWN) {
        undecided.add(key);
      }
    });
    return undecided;
  }

  private static void count(List<Op> ops, int firstFinal, Report report) {
    for (Op op : ops) {
      if (op.id() >= firstFinal) {
        continue;
      }
      report.operationsTried++;
      switch (op.outcome()) {
        case OK, NOT_FOUND -> report.operationsAcknowledged++;
        case UNKNOWN -> report.operationsUnknown++;
        case FAILED -> report.failedByReason.merge(op.error() == null ? "unknown" : op.error(), 1L, Long::sum);
      }
    }
  }
}
