package io.mogul.datanode.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.common.metrics.GrpcServerMetrics;
import io.mogul.common.metrics.Metrics;
import io.mogul.common.metrics.MetricsEndpoint;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.registry.Heartbeater;
import io.mogul.datanode.registry.TrackerRegistration;
import io.mogul.datanode.service.DataNodeService;
import io.mogul.common.grpc.AliasingMarshaller;
import io.mogul.common.grpc.ChannelPool;
import io.mogul.datanode.storage.Store;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceState;
import io.mogul.proto.RegisterResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops one datanode: opens its devices, serves the DataNode gRPC API, registers
 * with the trackers and heartbeats. With an empty tracker list it runs standalone with
 * devices 1..{@code devices} (for benchmarks and tests).
 */
public final class DatanodeServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DatanodeServer.class);

  private final DatanodeConfig config;
  private final Store store;
  private final ChannelPool peers = new ChannelPool();
  private final ExecutorService io = Executors.newCachedThreadPool(new ThreadFactory() {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "datanode-io-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  });
  /** Reads of {@code Read} calls, off the transport threads (null: read on them). */
  private final ExecutorService reads;
  private final PrometheusMeterRegistry metrics = Metrics.newRegistry("datanode");
  private MetricsEndpoint metricsEndpoint;
  private Server server;
  private String address;
  private TrackerRegistration trackers;
  private Heartbeater heartbeater;

  private DatanodeServer(DatanodeConfig config, Store store) {
    this.config = config;
    this.store = store;
    this.reads = config.server.readThreads > 0 ? readPool(config.server.readThreads, config.server.maxQueuedReads)
        : null;
  }

  /**
   * A fixed pool of read threads with a bounded queue; a read that finds the queue full runs
   * on the submitting transport thread, which holds back that connection's next requests
   * (and still answers the read if the pool is already shut down).
   */
  private static ExecutorService readPool(int threads, int maxQueued) {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(maxQueued), r -> {
          Thread t = new Thread(r, "datanode-read-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        }, (task, pool) -> task.run());
  }

  /** Returns once the datanode is serving and (unless standalone) registered. */
  public static DatanodeServer start(DatanodeConfig config) throws IOException {
    if (config.server.maxPipelinedWrites < 1 || config.server.maxPipelinedReads < 1 || config.server.readThreads < 0
        || config.server.maxQueuedReads < 1) {
      throw new IllegalArgumentException("server.maxPipelinedWrites, server.maxPipelinedReads and "
          + "server.maxQueuedReads must be at least 1 and server.readThreads at least 0, got "
          + config.server.maxPipelinedWrites + ", " + config.server.maxPipelinedReads + ", "
          + config.server.maxQueuedReads + " and " + config.server.readThreads);
    }
    boolean standalone = config.trackers == null || config.trackers.isEmpty();
    List<Integer> initial = new ArrayList<>();
    List<Integer> onDisk = Store.deviceIdsOnDisk(Path.of(config.dataDir));
    if (standalone) {
      for (int i = 1; i <= config.devices; i++) {
        initial.add(i);
      }
    } else {
      initial.addAll(onDisk);
    }
    Store store = Store.open(config, initial);
    DatanodeServer s = new DatanodeServer(config, store);
    try {
      s.serve();
      if (!standalone) {
        s.trackers = new TrackerRegistration(config.trackers);
        RegisterResponse r = s.register(onDisk);
        s.heartbeater = new Heartbeater(store, s.trackers, r.getHostId(), s.address, config.heartbeatIntervalMs,
            () -> s.heartbeater.setHostId(s.register(Store.deviceIdsOnDisk(Path.of(config.dataDir))).getHostId()));
        s.heartbeater.start();
      }
      DatanodeMetrics.bindDevices(s.metrics, store);
      if (!config.metricsListen.isEmpty()) {
        s.metricsEndpoint = MetricsEndpoint.start(config.metricsListen, s.metrics);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private RegisterResponse register(List<Integer> known) throws IOException {
    RegisterResponse r = trackers.register(config.hostName, address, config.zone, known, config.devices,
        config.registrationTimeoutMs);
    Set<Integer> owned = new HashSet<>(r.getDeviceIdsList());
    for (int id : owned) {
      store.addDevice(id); // creates dev<ID> for devices new to this host
    }
    for (var d : store.devices()) {
      if (!owned.contains(d.id())) {
        // The trackers list every device that is not dead; one missing is dead for good.
        store.setDeviceState(d.id(), DeviceState.DEVICE_DEAD);
      }
    }
    return r;
  }

  private void serve() throws IOException {
    int colon = config.listen.lastIndexOf(':');
    if (colon < 0) {
      throw new IOException("listen must be host:port, got '" + config.listen + "'");
    }
    String host = config.listen.substring(0, colon);
    int port = Integer.parseInt(config.listen.substring(colon + 1));
    server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .addService(AliasingMarshaller.forRequests((config.unsafe.acknowledgeBeforeWriting
                ? new AcknowledgeBeforeWriting(service())
                : service()).bindService(),
            // Blob bytes arriving in these requests are stored from the parsed message's own array.
            Set.of(DataNodeGrpc.getWriteMethod().getFullMethodName(),
                DataNodeGrpc.getWriteSmallStreamMethod().getFullMethodName())))
        .intercept(new GrpcServerMetrics(metrics))
        // Calls run on the transport threads; the service hands blocking work to `io` and reads to `reads`.
        .directExecutor()
        .maxInboundMessageSize(ChannelPool.MAX_MESSAGE_BYTES)
        .build()
        .start();
    int bound = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    if (!config.advertiseAddress.isEmpty()) {
      address = config.advertiseAddress;
    } else {
      String advertisedHost = host.equals("0.0.0.0") || host.equals("::") || host.isEmpty() ? config.hostName : host;
      address = advertisedHost + ":" + bound;
    }
    LOG.info("datanode {} serving on {}", config.hostName, address);
  }

  private DataNodeService service() {
    return new DataNodeService(store, peers, io, reads != null ? reads : Runnable::run, metrics);
  }

  /** The bound gRPC address, host:port. */
  public String address() {
    return address;
  }

  public Store store() {
    return store;
  }

  /** The datanode's meters (what {@code metricsListen} serves). */
  public MeterRegistry metrics() {
    return metrics;
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    if (heartbeater != null) {
      heartbeater.close();
    }
    if (server != null) {
      server.shutdown();
      try {
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
          server.shutdownNow();
          server.awaitTermination(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        server.shutdownNow();
      }
    }
    if (trackers != null) {
      trackers.close();
    }
    io.shutdown();
    if (reads != null) {
      reads.shutdown();
    }
    try {
      io.awaitTermination(10, TimeUnit.SECONDS);
      if (reads != null) {
        reads.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    peers.close();
    store.close();
  }
}
