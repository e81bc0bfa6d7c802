package io.mogul.meta.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.common.metrics.GrpcServerMetrics;
import io.mogul.common.metrics.Metrics;
import io.mogul.common.metrics.MetricsEndpoint;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.meta.jobs.BackgroundJobs;
import io.mogul.meta.ratis.MetaStateMachine;
import io.mogul.meta.ratis.RaftNode;
import io.mogul.meta.service.AdminService;
import io.mogul.meta.service.LeaderDuties;
import io.mogul.meta.service.LeaderForwarding;
import io.mogul.meta.service.RegistryService;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.service.TrackerService;
import io.mogul.meta.store.LiveStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One tracker process: a Ratis peer with its RocksDB state, and the client/admin/registry gRPC API. */
public final class TrackerServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TrackerServer.class);

  private final TrackerConfig config;
  private final LiveStore live;
  private final RaftNode raft;
  private final Server grpc;
  private final TrackerCore core;
  private final LeaderDuties duties;
  private final BackgroundJobs jobs;
  private final String address;

  private final PrometheusMeterRegistry metrics = Metrics.newRegistry("tracker");
  private MetricsEndpoint metricsEndpoint;

  private TrackerServer(TrackerConfig config) throws IOException {
    this.config = config;
    checkConfig(config);
    Path dataDir = Path.of(config.dataDir);
    Files.createDirectories(dataDir);
    this.live = new LiveStore(dataDir.resolve("state"));
    MetaStateMachine stateMachine = new MetaStateMachine(live);
    RaftNode node = null;
    Server server = null;
    try {
      node = new RaftNode(config, stateMachine);
      node.start();
      InetSocketAddress bind = parse(config.listen);
      TrackerCore c = new TrackerCore(config, live, node, config.listen);
      LeaderForwarding f = new LeaderForwarding(c);
      GrpcServerMetrics calls = new GrpcServerMetrics(metrics);
      server = NettyServerBuilder.forAddress(bind)
          .addService(ServerInterceptors.intercept(new TrackerService(c, f), LeaderForwarding.interceptor(), f.leaderHint(), calls))
          .addService(ServerInterceptors.intercept(new AdminService(c, f), LeaderForwarding.interceptor(), calls))
          .addService(ServerInterceptors.intercept(new RegistryService(c, f), LeaderForwarding.interceptor(), calls))
          .build().start();
      this.address = bind.getHostString() + ":" + server.getPort();
      c.setAddress(this.address);
      this.raft = node;
      this.grpc = server;
      this.core = c;
      this.duties = new LeaderDuties(c);
      this.jobs = new BackgroundJobs(c);
      TrackerMetrics.bind(metrics, c, jobs);
      if (!config.metricsListen.isEmpty()) {
        metricsEndpoint = MetricsEndpoint.start(config.metricsListen, metrics);
      }
    } catch (IOException | RuntimeException e) {
      if (server != null) {
        server.shutdownNow();
      }
      if (node != null) {
        node.close();
      }
      live.close();
      throw e;
    }
  }

  /** Starts a tracker; returns once its Raft peer and gRPC API are serving. */
  public static TrackerServer start(TrackerConfig config) throws IOException {
    TrackerServer server = new TrackerServer(config);
    LOG.info("tracker {} serving on {} (raft {})", config.id, server.address(), config.raftListen);
    return server;
  }

  private static void checkConfig(TrackerConfig config) {
    boolean self = config.peers.stream().anyMatch(p -> p.id.equals(config.id));
    if (!self) {
      throw new IllegalArgumentException("tracker id '" + config.id + "' is not among the peers");
    }
  }

  private static InetSocketAddress parse(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("listen address must be host:port, got '" + hostPort + "'");
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  /** The bound client gRPC address, host:port. */
  public String address() {
    return address;
  }

  public TrackerConfig config() {
    return config;
  }

  @Override
  public void close() {
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    jobs.close();
    duties.close();
    grpc.shutdown();
    try {
      if (!grpc.awaitTermination(5, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpc.shutdownNow();
      Thread.currentThread().interrupt();
    }
    core.close();
    try {
      raft.close();
    } catch (IOException e) {
      LOG.warn("stopping raft of tracker {} failed", config.id, e);
    }
    live.close();
  }
}
