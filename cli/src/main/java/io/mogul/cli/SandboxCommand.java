package io.mogul.cli;

import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.client.MogulClient;
import io.mogul.common.MogulException;
import io.mogul.proto.ClassSpec;
import io.mogul.proto.DomainRef;
import io.mogul.proto.ErrorReason;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mogul sandbox}: a local cluster of 3 trackers and 3 datanodes as separate
 * processes, with domain {@code default} (its default class keeping 2 copies) and a
 * 2-copy class {@code two}. Runs until Ctrl-C; started again on the same directory it
 * reuses the data.
 */
@Command(name = "sandbox", description = "Run a local 3-tracker, 3-datanode cluster until Ctrl-C.")
final class SandboxCommand implements Callable<Integer> {
  private final Io io;

  @Option(names = "--dir", paramLabel = "DIR", description = "Where all data, configs and logs go (default ./sandbox-data).")
  Path dir = Path.of("sandbox-data");

  @Option(names = "--trackers-count", description = "Trackers to start.") int trackers = 3;
  @Option(names = "--datanodes", description = "Datanodes to start.") int datanodes = 3;

  @Option(names = "--tracker-set", paramLabel = "KEY=VALUE",
      description = "Set a tracker config key (as in config/tracker.yaml, e.g. raft.batchMaxInFlight=1) "
          + "on every tracker; repeatable. Configs are rewritten at each start.")
  List<String> trackerSettings = new ArrayList<>();

  @Option(names = "--datanode-set", paramLabel = "KEY=VALUE",
      description = "Set a datanode config key (as in config/datanode.yaml) on every datanode; repeatable.")
  List<String> datanodeSettings = new ArrayList<>();

  SandboxCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    PrintStream out = io.out();
    out.println("starting " + trackers + " trackers and " + datanodes + " datanodes under " + dir.toAbsolutePath() + " ...");
    ProcessCluster cluster = ProcessCluster.builder(dir).trackers(trackers).datanodes(datanodes)
        .trackerOverrides(trackerSettings).datanodeOverrides(datanodeSettings)
        .preferredPorts(7001, 7101, 7501).start(Duration.ofMinutes(5));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      io.err().println("\nstopping the sandbox ...");
      cluster.close();
      io.err().println("sandbox stopped; data kept in " + dir.toAbsolutePath());
      stopped.countDown();
    }, "sandbox-shutdown"));
    try (MogulClient client = cluster.client()) {
      ensureDomain(client);
    }
    String trackerList = String.join(",", cluster.trackerAddresses());
    out.println();
    out.println("Mogul sandbox is running.");
    for (NodeProcess node : cluster.trackers()) {
      out.printf("  tracker  %-4s %s (pid %d)%n", node.name(), node.address(), node.pid());
    }
    for (NodeProcess node : cluster.datanodes()) {
      out.printf("  datanode %-4s %s (pid %d)%n", node.name(), node.address(), node.pid());
    }
    out.println("  logs     " + dir.toAbsolutePath().resolve("logs"));
    out.println();
    if (!cluster.trackerAddresses().equals(GlobalOptions.SANDBOX_TRACKERS)) {
      out.println("Ports 7001-7003 were busy; point the client at this sandbox first:");
      out.println("  export MOGUL_TRACKERS=" + trackerList);
      out.println();
    }
    out.println("Try, in another terminal:");
    out.println("  echo hello > hello.txt");
    out.println("  ./mogul put default hello ./hello.txt");
    out.println("  ./mogul cat default hello");
    out.println("  ./mogul put default big ./some-file --class two");
    out.println("  ./mogul ls default");
    out.println("  ./mogul info default hello");
    out.println("  ./mogul admin check");
    out.println("  ./mogul bench -n 20000 -s 4096 -c 16 --class two");
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
    stopped.await();
    return ExitCodes.OK;
  }

  private static void ensureDomain(MogulClient client) {
    try {
      client.admin(a -> a.createDomain(DomainRef.newBuilder().setName("default").build()));
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.DOMAIN_EXISTS) {
        throw e;
      }
    }
    client.admin(a -> a.updateClass(ClassSpec.newBuilder().setDomain("default").setName("default")
        .setMindevcount(2).build()));
    try {
      client.admin(a -> a.createClass(ClassSpec.newBuilder().setDomain("default").setName("two")
          .setMindevcount(2).build()));
    } catch (MogulException e) {
      if (e.reason() != ErrorReason.CLASS_EXISTS) {
        throw e;
      }
    }
  }
}
