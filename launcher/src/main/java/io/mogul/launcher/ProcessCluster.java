package io.mogul.launcher;

import io.mogul.client.MogulClient;
import io.mogul.client.RetryPolicy;
import io.mogul.common.MogulException;
import io.mogul.common.config.ConfigLoader;
import io.mogul.common.net.LoopbackPorts;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.meta.config.TrackerConfig;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.DeviceInfo;
import io.mogul.proto.DeviceState;
import io.mogul.proto.Empty;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trackers and datanodes as separate JVM processes on loopback, all data under one base
 * directory: {@code t<N>/} and {@code dn<N>/} data, {@code conf/} configs, {@code logs/}
 * per-node logs, and {@code cluster.properties} with the ports, so a cluster started again
 * on the same directory reuses its data and addresses. The one launcher behind the
 * sandbox, the integration tests and the chaos harness.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessCluster.class);
  private static final String PORTS_FILE = "cluster.properties";

  private final Builder settings;
  private final List<NodeProcess> trackers = new ArrayList<>();
  private final List<NodeProcess> datanodes = new ArrayList<>();
  private FileLock directoryLock;
  private String classpath;

  private ProcessCluster(Builder settings) {
    this.settings = settings;
  }

  public static Builder builder(Path baseDir) {
    return new Builder(baseDir);
  }

  public Path baseDir() {
    return settings.baseDir;
  }

  public List<NodeProcess> trackers() {
    return List.copyOf(trackers);
  }

  public List<NodeProcess> datanodes() {
    return List.copyOf(datanodes);
  }

  /** Client addresses of every tracker. */
  public List<String> trackerAddresses() {
    return trackers.stream().map(NodeProcess::address).toList();
  }

  /** A client for this cluster; the caller closes it. */
  public MogulClient client() {
    return MogulClient.builder().trackers(trackerAddresses()).build();
  }

  private void prepare() throws IOException {
    Path base = settings.baseDir.toAbsolutePath();
    Files.createDirectories(base.resolve("conf"));
    Files.createDirectories(base.resolve("logs"));
    lockDirectory(base);
    classpath = nodeClasspath(base);
    Properties ports = loadPorts(base.resolve(PORTS_FILE));
    Set<Integer> taken = new HashSet<>();
    for (String value : ports.stringPropertyNames()) {
      taken.add(Integer.parseInt(ports.getProperty(value)));
    }
    List<TrackerConfig.Peer> peers = new ArrayList<>();
    Map<String, Integer> raftPorts = new HashMap<>();
    for (int i = 1; i <= settings.trackers; i++) {
      String id = "t" + i;
      int listen = port(ports, id + ".listen", settings.trackerBasePort, i, taken);
      int raft = port(ports, id + ".raft", settings.raftBasePort, i, taken);
      raftPorts.put(id, raft);
      peers.add(new TrackerConfig.Peer(id, "127.0.0.1:" + listen, settings.trackerNetwork.raftAddress(id, raft)));
    }
    List<String> trackerAddresses = peers.stream().map(p -> p.address).toList();
    for (TrackerConfig.Peer peer : peers) {
      TrackerConfig c = new TrackerConfig();
      c.id = peer.id;
      c.dataDir = base.resolve(peer.id).toString();
      c.listen = peer.address;
      c.raftListen = "127.0.0.1:" + raftPorts.get(peer.id);
      c.metricsListen = "127.0.0.1:" + port(ports, peer.id + ".metrics", 0, 0, taken);
      c.peers = new ArrayList<>(peers);
      Path file = base.resolve("conf").resolve(peer.id + ".yaml");
      writeConfig(c, file, settings.trackerOverrides, TrackerConfig.class);
      trackers.add(new NodeProcess(peer.id, NodeProcess.Role.TRACKER, peer.address, c.metricsListen, file,
          base.resolve("logs").resolve(peer.id + ".log"), javaCommand(settings.trackerNetwork.javaOptions(peer.id))));
    }
    for (int i = 1; i <= settings.datanodes; i++) {
      String name = "dn" + i;
      int listen = port(ports, name + ".listen", settings.datanodeBasePort, i, taken);
      DatanodeConfig c = new DatanodeConfig();
      c.hostName = name;
      c.listen = "127.0.0.1:" + listen;
      c.dataDir = base.resolve(name).toString();
      c.devices = settings.devicesPerDatanode;
      c.trackers = new ArrayList<>(trackerAddresses);
      c.reserveBytes = settings.reserveBytes;
      c.metricsListen = "127.0.0.1:" + port(ports, name + ".metrics", 0, 0, taken);
      Path file = base.resolve("conf").resolve(name + ".yaml");
      writeConfig(c, file, settings.datanodeOverrides, DatanodeConfig.class);
      datanodes.add(new NodeProcess(name, NodeProcess.Role.DATANODE, c.listen, c.metricsListen, file,
          base.resolve("logs").resolve(name + ".log"), javaCommand(List.of())));
    }
    try (OutputStream out = Files.newOutputStream(base.resolve(PORTS_FILE))) {
      ports.store(out, "Mogul process cluster ports; delete this directory to start afresh");
    }
  }

  private static <T> void writeConfig(T config, Path file, List<String> overrides, Class<T> type) throws IOException {
    ConfigLoader.write(config, file);
    if (!overrides.isEmpty()) {
      ConfigLoader.write(ConfigLoader.load(file, overrides, type), file);
    }
  }

  private static Properties loadPorts(Path file) throws IOException {
    Properties ports = new Properties();
    if (Files.exists(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        ports.load(in);
      }
    }
    return ports;
  }

  /** The recorded port, else the preferred one if free, else any free port. */
  private static int port(Properties ports, String key, int basePort, int index, Set<Integer> taken) throws IOException {
    String known = ports.getProperty(key);
    if (known != null) {
      return Integer.parseInt(known);
    }
    int port = -1;
    if (basePort > 0 && !taken.contains(basePort + index - 1) && LoopbackPorts.isFree(basePort + index - 1)) {
      port = basePort + index - 1;
    }
    while (port < 0 || taken.contains(port)) {
      port = LoopbackPorts.free(); // kept across restarts, so outside the ephemeral range
    }
    taken.add(port);
    ports.setProperty(key, Integer.toString(port));
    return port;
  }

  private List<String> javaCommand(List<String> extraOptions) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(settings.javaOptions);
    command.addAll(extraOptions);
    command.add("-cp");
    command.add(classpath);
    return command;
  }

  /**
   * Under {@code java -jar mogul.jar} the nodes run from a private copy of the jar in the
   * base directory, so rebuilding the jar while the cluster runs cannot pull classes from
   * under them; under a test runner they share its classpath.
   */
  private static String nodeClasspath(Path base) throws IOException {
    String classpath = System.getProperty("java.class.path");
    Path jar = Path.of(classpath);
    if (classpath.contains(java.io.File.pathSeparator) || !jar.getFileName().toString().equals("mogul.jar")
        || !Files.isRegularFile(jar)) {
      return classpath;
    }
    Path copy = base.resolve("lib").resolve("mogul.jar");
    boolean current = Files.isRegularFile(copy) && Files.size(copy) == Files.size(jar)
        && Files.getLastModifiedTime(copy).equals(Files.getLastModifiedTime(jar));
    if (!current) {
      Files.createDirectories(copy.getParent());
      Path temp = copy.resolveSibling("mogul.jar.tmp");
      Files.copy(jar, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      Files.move(temp, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return copy.toString();
  }

  private List<NodeProcess> all() {
    List<NodeProcess> all = new ArrayList<>(trackers);
    all.addAll(datanodes);
    return all;
  }

  /** Starts every node that is not running. */
  public void startAll() throws IOException {
    for (NodeProcess node : trackers) {
      node.start();
    }
    for (NodeProcess node : datanodes) {
      node.start();
    }
  }

  /**
   * Waits until a tracker is the Raft leader of a healthy group and every device of every
   * running datanode is registered, alive and reachable.
   */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    int round = 0;
    try (MogulClient client = pollingClient()) {
      while (System.nanoTime() < deadline) {
        for (NodeProcess node : all()) {
          if (node.crashed()) {
            throw new IllegalStateException(node.name() + " exited; see " + node.logFile());
          }
        }
        // Ask each running tracker in turn: one still catching up may answer with an error.
        List<NodeProcess> running = trackers.stream().filter(NodeProcess::isAlive).toList();
        if (running.isEmpty()) {
          throw new IllegalStateException("no tracker is running");
        }
        String address = running.get(round++ % running.size()).address();
        try {
          ClusterCheck check = client.adminAt(address, a -> a.checkCluster(Empty.getDefaultInstance()));
          boolean leader = check.getTrackersList().stream().anyMatch(t -> t.getRole() == RaftRole.LEADER);
          long wanted = (long) datanodes.stream().filter(NodeProcess::isAlive).count() * settings.devicesPerDatanode;
          Set<String> live = new HashSet<>();
          datanodes.stream().filter(NodeProcess::isAlive).forEach(n -> live.add(n.address()));
          long ready = client.adminAt(address, a -> a.listDevices(io.mogul.proto.ListRequest.getDefaultInstance()))
              .getDevicesList().stream()
              .filter(d -> live.contains(d.getHostAddress()) && d.getReachable()
                  && d.getState() == DeviceState.DEVICE_ALIVE)
              .count();
          if (check.getHealthy() && leader && ready >= wanted) {
            return;
          }
          last = "healthy=" + check.getHealthy() + " leader=" + leader + " devices ready " + ready + "/" + wanted;
        } catch (MogulException e) {
          last = address + " answered " + e.reason() + ": " + e.getMessage();
        }
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("cluster under " + settings.baseDir + " not ready after " + timeout
        + " (" + last + "); see the logs in " + settings.baseDir.resolve("logs"));
  }

  /** The tracker that currently leads, as seen by any tracker. */
  public NodeProcess leader() {
    try (MogulClient client = pollingClient()) {
      ClusterCheck check = client.admin(a -> a.checkCluster(Empty.getDefaultInstance()));
      for (TrackerStatus status : check.getTrackersList()) {
        if (status.getRole() == RaftRole.LEADER) {
          return trackers.stream().filter(t -> t.address().equals(status.getAddress())).findFirst()
              .orElseThrow(() -> new IllegalStateException("leader " + status.getAddress() + " is not ours"));
        }
      }
      throw new IllegalStateException("no leader: " + check.getTrackersList());
    }
  }

  /** Registered devices, as the trackers see them. */
  public List<DeviceInfo> devices() {
    try (MogulClient client = pollingClient()) {
      return client.admin(a -> a.listDevices(io.mogul.proto.ListRequest.getDefaultInstance())).getDevicesList();
    }
  }

  private MogulClient pollingClient() {
    return MogulClient.builder().trackers(trackerAddresses()).callTimeout(Duration.ofSeconds(2))
        .operationTimeout(Duration.ofSeconds(5)).batching(false)
        .retryPolicy(new RetryPolicy(trackers.size() + 1, Duration.ofMillis(20), Duration.ofMillis(100))).build();
  }

  /**
   * Holds {@code cluster.lock} in the base directory for the cluster's lifetime, so a
   * second cluster on the same data and ports is refused instead of talking to the first.
   */
  private void lockDirectory(Path base) throws IOException {
    FileChannel channel = FileChannel.open(base.resolve("cluster.lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException("another Mogul cluster is already running from " + base + "; stop it first");
    }
    directoryLock = lock;
  }

  private void unlockDirectory() {
    if (directoryLock != null) {
      try {
        directoryLock.release();
        directoryLock.channel().close();
      } catch (IOException e) {
        LOG.warn("cannot release {}", settings.baseDir.resolve("cluster.lock"), e);
      }
      directoryLock = null;
    }
  }

  /** Stops every node this cluster started (datanodes first, then trackers) and frees its directory. */
  @Override
  public void close() {
    try {
      stopAll();
    } finally {
      unlockDirectory();
    }
  }

  private void stopAll() {
    List<NodeProcess> all = new ArrayList<>(datanodes);
    all.addAll(trackers);
    for (NodeProcess node : all) {
      if (node.isAlive()) {
        try {
          node.stop();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          LOG.warn("interrupted while stopping {}; killing the rest", node.name());
          all.forEach(n -> {
            try {
              n.kill();
            } catch (InterruptedException again) {
              Thread.currentThread().interrupt();
            }
          });
          return;
        }
      }
    }
  }

  /**
   * How the trackers of a cluster reach each other. The default connects them directly;
   * fault injection puts a proxy in front of each tracker's Raft port and routes each
   * tracker's outgoing connections through another, so links can be cut.
   */
  public interface TrackerNetwork {
    TrackerNetwork DIRECT = new TrackerNetwork() {
      @Override
      public String raftAddress(String trackerId, int raftPort) {
        return "127.0.0.1:" + raftPort;
      }

      @Override
      public List<String> javaOptions(String trackerId) {
        return List.of();
      }
    };

    /** The address the other trackers use for this tracker's Raft port {@code raftPort}. */
    String raftAddress(String trackerId, int raftPort) throws IOException;

    /** Extra JVM options for this tracker's process. */
    List<String> javaOptions(String trackerId) throws IOException;
  }

  /** Settings of a {@link ProcessCluster}. */
  public static final class Builder {
    private final Path baseDir;
    private int trackers = 3;
    private int datanodes = 3;
    private int devicesPerDatanode = 2;
    private int trackerBasePort;
    private int raftBasePort;
    private int datanodeBasePort;
    private long reserveBytes = 64L * 1024 * 1024;
    private List<String> javaOptions = List.of("-Xmx256m");
    private List<String> trackerOverrides = List.of();
    private List<String> datanodeOverrides = List.of();
    private TrackerNetwork trackerNetwork = TrackerNetwork.DIRECT;

    private Builder(Path baseDir) {
      this.baseDir = baseDir;
    }

    public Builder trackers(int n) {
      this.trackers = n;
      return this;
    }

    public Builder datanodes(int n) {
      this.datanodes = n;
      return this;
    }

    public Builder devicesPerDatanode(int n) {
      this.devicesPerDatanode = n;
      return this;
    }

    /**
     * Use these ports when free (tracker i gets {@code tracker + i - 1}, etc.), else any
     * free port; 0 (the default) always picks free ports.
     */
    public Builder preferredPorts(int tracker, int raft, int datanode) {
      this.trackerBasePort = tracker;
      this.raftBasePort = raft;
      this.datanodeBasePort = datanode;
      return this;
    }

    /** Free space each datanode device keeps in reserve. */
    public Builder reserveBytes(long bytes) {
      this.reserveBytes = bytes;
      return this;
    }

    public Builder javaOptions(List<String> options) {
      this.javaOptions = List.copyOf(options);
      return this;
    }

    /** {@code key.path=value} overrides written into every tracker's config. */
    public Builder trackerOverrides(List<String> overrides) {
      this.trackerOverrides = List.copyOf(overrides);
      return this;
    }

    /** {@code key.path=value} overrides written into every datanode's config. */
    /** How trackers reach each other; the chaos harness puts fault proxies in between. */
    public Builder trackerNetwork(TrackerNetwork network) {
      this.trackerNetwork = network;
      return this;
    }

    public Builder datanodeOverrides(List<String> overrides) {
      this.datanodeOverrides = List.copyOf(overrides);
      return this;
    }

    /** Writes configs and ports, starts every node and waits until the cluster is ready. */
    public ProcessCluster start(Duration readyTimeout) throws IOException, InterruptedException {
      ProcessCluster cluster = new ProcessCluster(this);
      try {
        cluster.prepare();
        cluster.startAll();
        cluster.awaitReady(readyTimeout);
        return cluster;
      } catch (IOException | InterruptedException | RuntimeException e) {
        cluster.close();
        throw e;
      }
    }
  }
}
