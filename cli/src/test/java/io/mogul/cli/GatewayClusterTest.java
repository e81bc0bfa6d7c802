package io.mogul.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.mogul.client.MogulClient;
import io.mogul.client.PutOptions;
import io.mogul.common.metrics.Metrics;
import io.mogul.gateway.cluster.AdminClusterView;
import io.mogul.gateway.cluster.ClientFileSource;
import io.mogul.gateway.server.GatewayConfig;
import io.mogul.gateway.server.GatewayServer;
import io.mogul.gateway.source.FileSource;
import io.mogul.gateway.source.StoredFile;
import io.mogul.gateway.ui.ClusterView;
import io.mogul.launcher.NodeProcess;
import io.mogul.launcher.ProcessCluster;
import io.mogul.proto.BlobRef;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.Empty;
import io.mogul.proto.FileInfo;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;
import io.mogul.proto.ListRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP gateway and its dashboard in front of a real process cluster. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GatewayClusterTest {
  @TempDir static Path dir;
  private static ProcessCluster cluster;
  private static MogulClient client;
  private static GatewayServer gateway;
  private static String base;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final String TOKEN = "gateway-test-token";
  private static final long TTL_MS = 5000;
  /** The gateway's cache clock: cached key versions age only when a test moves it. */
  private static final AtomicLong cacheClock = new AtomicLong();
  private static CountingFileSource source;
  private static byte[] photo;
  private static FileInfo stored;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestClusters.start(dir.resolve("cluster"));
    client = cluster.client();
    TestClusters.createDomain(client, "web", 2);
    photo = new byte[300_000];
    new Random(11).nextBytes(photo);
    stored = client.put("web", "img/cat 1.jpg", photo, PutOptions.DEFAULT);
    GatewayConfig config = new GatewayConfig();
    config.listen = "127.0.0.1:0";
    config.trackers = cluster.trackerAddresses();
    config.uiRefreshMs = 500;
    config.writeToken = TOKEN;
    config.cache.metadataTtlMs = TTL_MS;
    config.cache.maxBlobBytes = 100_000;   // the 300 KB photo is streamed, small files are cached
    source = new CountingFileSource(new ClientFileSource(client));
    gateway = GatewayServer.start(config, source, new AdminClusterView(client), Metrics.newRegistry("gateway"),
        cacheClock::get);
    base = "http://127.0.0.1:" + gateway.port();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void storedFilesAreServedByUrlWithRangesAndValidators() throws Exception {
    HttpResponse<byte[]> whole = get("/web/img/cat%201.jpg");
    assertEquals(200, whole.statusCode());
    assertArrayEquals(photo, whole.body());
    assertEquals("image/jpeg", whole.headers().firstValue("content-type").orElseThrow());
    String etag = whole.headers().firstValue("etag").orElseThrow();
    HttpResponse<byte[]> range = get("/web/img/cat%201.jpg", "Range", "bytes=1000-1999");
    assertEquals(206, range.statusCode());
    assertArrayEquals(Arrays.copyOfRange(photo, 1000, 2000), range.body());
    assertEquals(304, get("/web/img/cat%201.jpg", "If-None-Match", etag).statusCode());
    assertEquals(404, get("/web/img/none.jpg").statusCode());
    assertEquals(404, get("/nodomain/x").statusCode());
    assertEquals(stored.getLength(), Long.parseLong(whole.headers().firstValue("content-length").orElseThrow()));
  }

  @Test
  void repeatedGetOfASmallFileIsServedFromTheGatewayWithoutClusterCalls() throws Exception {
    byte[] data = new byte[4096];
    new Random(12).nextBytes(data);
    client.put("web", "cache/repeat.bin", data, PutOptions.DEFAULT);
    assertArrayEquals(data, get("/web/cache/repeat.bin").body());
    long calls = source.calls();
    for (int i = 0; i < 5; i++) {
      HttpResponse<byte[]> again = get("/web/cache/repeat.bin");
      assertEquals(200, again.statusCode());
      assertArrayEquals(data, again.body());
    }
    HttpResponse<byte[]> range = get("/web/cache/repeat.bin", "Range", "bytes=4000-");
    assertEquals(206, range.statusCode());
    assertEquals("bytes 4000-4095/4096", range.headers().firstValue("content-range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(data, 4000, 4096), range.body());
    assertEquals(calls, source.calls(), "no tracker lookup and no datanode read");
  }

  @Test
  void filesAboveMaxBlobBytesAreStreamedFromTheDatanodesEveryTime() throws Exception {
    long opens = source.opens.get();
    for (int i = 1; i <= 2; i++) {
      assertArrayEquals(photo, get("/web/img/cat%201.jpg").body());
      assertEquals(opens + i, source.opens.get());
    }
  }

  @Test
  void anOverwriteThroughTheGatewayIsServedAtOnce() throws Exception {
    byte[] v1 = "first version".getBytes(StandardCharsets.UTF_8);
    byte[] v2 = "second version, longer".getBytes(StandardCharsets.UTF_8);
    client.put("web", "cache/own.txt", v1, PutOptions.DEFAULT);
    assertArrayEquals(v1, get("/web/cache/own.txt").body());
    HttpResponse<byte[]> put = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/web/cache/own.txt"))
        .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofByteArray(v2)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(201, put.statusCode());
    HttpResponse<byte[]> after = get("/web/cache/own.txt");
    assertArrayEquals(v2, after.body(), "the cache clock did not move: the PUT dropped the old version");
    assertEquals(put.headers().firstValue("etag"), after.headers().firstValue("etag"));
  }

  @Test
  void anotherClientsOverwriteIsServedStaleUntilTheTtlThenPickedUp() throws Exception {
    byte[] v1 = "written by the gateway's reader".getBytes(StandardCharsets.UTF_8);
    byte[] v2 = "overwritten by another client".getBytes(StandardCharsets.UTF_8);
    client.put("web", "cache/other.txt", v1, PutOptions.DEFAULT);
    assertArrayEquals(v1, get("/web/cache/other.txt").body());
    client.put("web", "cache/other.txt", v2, PutOptions.DEFAULT);
    assertArrayEquals(v1, get("/web/cache/other.txt").body(), "within the TTL the old version is served");
    cacheClock.addAndGet(TimeUnit.MILLISECONDS.toNanos(TTL_MS + 1));
    assertArrayEquals(v2, get("/web/cache/other.txt").body(), "after the TTL the tracker is asked again");
  }

  @Test
  void aGatewayWithZeroTtlSeesAnotherClientsOverwriteAtOnce() throws Exception {
    GatewayConfig config = new GatewayConfig();
    config.listen = "127.0.0.1:0";
    config.trackers = cluster.trackerAddresses();
    config.cache.metadataTtlMs = 0;
    try (GatewayServer uncached = GatewayServer.start(config, new ClientFileSource(client),
        new AdminClusterView(client), Metrics.newRegistry("gateway"))) {
      String at = "http://127.0.0.1:" + uncached.port() + "/web/cache/zero.txt";
      byte[] v1 = "one".getBytes(StandardCharsets.UTF_8);
      byte[] v2 = "two".getBytes(StandardCharsets.UTF_8);
      client.put("web", "cache/zero.txt", v1, PutOptions.DEFAULT);
      assertArrayEquals(v1, HTTP.send(HttpRequest.newBuilder(URI.create(at)).build(),
          HttpResponse.BodyHandlers.ofByteArray()).body());
      client.put("web", "cache/zero.txt", v2, PutOptions.DEFAULT);
      assertArrayEquals(v2, HTTP.send(HttpRequest.newBuilder(URI.create(at)).build(),
          HttpResponse.BodyHandlers.ofByteArray()).body());
    }
  }

  @Test
  void everyProcessServesPrometheusMetrics() throws Exception {
    get("/web/img/cat%201.jpg");
    get("/web/img/cat%201.jpg");   // the second finds the key's version cached
    String gatewayMetrics = new String(get("/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(gatewayMetrics.contains("mogul_gateway_requests_seconds_count"), gatewayMetrics);
    assertTrue(gatewayMetrics.contains("mogul_gateway_cache_lookups_total{cache=\"metadata\",result=\"hit\""),
        gatewayMetrics);
    for (var tracker : cluster.trackers()) {
      String text = scrape(tracker.metricsAddress());
      assertTrue(text.contains("mogul_raft_commit_index"), tracker.name() + ":\n" + text);
      assertTrue(text.contains("mogul_queue_depth{"), tracker.name() + ":\n" + text);
      assertTrue(text.contains("mogul_grpc_server_calls_seconds_count{"), tracker.name() + ":\n" + text);
      assertTrue(text.contains("queue=\"replication\""), tracker.name() + ":\n" + text);
      assertTrue(text.contains("mogul_fsck_running{"), tracker.name() + ":\n" + text);
      assertTrue(text.contains("mogul_fsck_problems{"), tracker.name() + ":\n" + text);
    }
    // The fsck gauges read the replicated fsck state: every tracker reports the pass the
    // leader ran, and a healthy cluster has nothing awaiting re-replication.
    FsckStatus fsck = runFsckToTheEnd();
    assertTrue(fsck.getFidsChecked() > 0, fsck.toString());
    for (var tracker : cluster.trackers()) {
      awaitCondition(Duration.ofSeconds(30), () -> gauge(scrape(tracker.metricsAddress()), "mogul_fsck_fids_checked")
          == fsck.getFidsChecked(), () -> tracker.name() + " does not report " + fsck.getFidsChecked() + " fids checked");
      String text = scrape(tracker.metricsAddress());
      assertEquals(0, gauge(text, "mogul_fsck_running"), tracker.name());
      assertEquals(fsck.getProblems(), gauge(text, "mogul_fsck_problems"), tracker.name());
      awaitCondition(Duration.ofSeconds(30),
          () -> gauge(scrape(tracker.metricsAddress()), "mogul_queue_depth", "queue=\"replication\"") == 0,
          () -> tracker.name() + " reports files awaiting re-replication on a healthy cluster");
    }
    for (var datanode : cluster.datanodes()) {
      // Per-method series appear with a datanode's first call; not every datanode holds a copy.
      ManagedChannel channel = NettyChannelBuilder.forTarget(datanode.address()).usePlaintext().build();
      try {
        DataNodeGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
            .stat(BlobRef.newBuilder().setFid(stored.getFid()).setDeviceId(1).build());
      } catch (StatusRuntimeException notHere) {
        // A device this datanode does not have: the call was still served and counted.
      } finally {
        channel.shutdownNow();
      }
      String text = scrape(datanode.metricsAddress());
      assertTrue(text.contains("mogul_device_usable_bytes{"), datanode.name() + ":\n" + text);
      assertTrue(text.contains("mogul_grpc_server_bytes_total{"), datanode.name() + ":\n" + text);
    }
  }

  /** The cluster-backed source, counting the tracker lookups and datanode reads the gateway makes. */
  private static final class CountingFileSource implements FileSource {
    private final FileSource delegate;
    final AtomicLong stats = new AtomicLong();
    final AtomicLong opens = new AtomicLong();

    CountingFileSource(FileSource delegate) {
      this.delegate = delegate;
    }

    long calls() {
      return stats.get() + opens.get();
    }

    @Override
    public StoredFile stat(String domain, String key) {
      stats.incrementAndGet();
      return delegate.stat(domain, key);
    }

    @Override
    public InputStream open(StoredFile file, long offset, long length) {
      opens.incrementAndGet();
      return delegate.open(file, offset, length);
    }

    @Override
    public StoredFile put(String domain, String key, InputStream body, long length, String contentType) {
      return delegate.put(domain, key, body, length, contentType);
    }

    @Override
    public void delete(String domain, String key) {
      delegate.delete(domain, key);
    }
  }

  /** The value of the sample of {@code name} whose labels include {@code label} (e.g. queue="x"), if given. */
  private static long gauge(String scrape, String name, String... label) {
    for (String line : scrape.split("\n")) {
      if ((line.startsWith(name + "{") || line.startsWith(name + " "))
          && (label.length == 0 || line.contains(label[0]))) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no " + name + " " + String.join("", label) + " in\n" + scrape);
  }

  private interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitCondition(Duration limit, Condition condition, Supplier<String> failure) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get());
      }
      Thread.sleep(100);
    }
  }

  private static FsckStatus fsckStatus() {
    return client.admin(a -> a.getFsckStatus(ListRequest.getDefaultInstance()));
  }

  /** Runs an fsck pass over every fid (unless one already finished) and returns its final status. */
  private static FsckStatus runFsckToTheEnd() throws Exception {
    if (!fsckStatus().getFinished()) {
      client.admin(a -> a.fsckStart(Empty.getDefaultInstance()));
      awaitCondition(Duration.ofSeconds(60), () -> fsckStatus().getFinished(), () -> "fsck did not finish: " + fsckStatus());
    }
    return fsckStatus();
  }

  @Test
  void aFileIsServedFromAnotherCopyWhileTheDatanodeOfItsFirstCopyIsDown() throws Exception {
    byte[] data = new byte[250_000];   // above the gateway's maxBlobBytes: read from the datanodes
    new Random(13).nextBytes(data);
    FileInfo info = client.put("web", "failover/two-copies.bin", data, PutOptions.DEFAULT);
    assertEquals(2, info.getLocationsCount(), info.toString());
    String first = client.paths("web", "failover/two-copies.bin").getLocations(0).getAddress();
    NodeProcess holder = cluster.datanodes().stream().filter(d -> d.address().equals(first)).findFirst()
        .orElseThrow(() -> new AssertionError("no datanode at " + first));
    // The gateway learns the version, its locations in the tracker's order, before the stop.
    assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/web/failover/two-copies.bin"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode());
    long opens = source.opens.get();
    holder.stop();
    try {
      HttpResponse<byte[]> whole = get("/web/failover/two-copies.bin");
      assertEquals(200, whole.statusCode());
      assertArrayEquals(data, whole.body());
      HttpResponse<byte[]> range = get("/web/failover/two-copies.bin", "Range", "bytes=100000-149999");
      assertEquals(206, range.statusCode());
      assertArrayEquals(Arrays.copyOfRange(data, 100_000, 150_000), range.body());
      assertEquals(opens + 2, source.opens.get(), "both were read from the cluster, not from memory");
    } finally {
      holder.start();
      cluster.awaitReady(Duration.ofMinutes(1));
    }
  }

  private static String scrape(String hostPort) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), hostPort);
    return r.body();
  }

  @Test
  // Room for installing Chromium (HeadlessChromium.INSTALL_BUDGET, 12 min) and the checks.
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void dashboardInAHeadlessBrowserShowsTheClusterAndRefreshesItself() throws Exception {
    Path chromium = HeadlessChromium.ensureInstalled();
    // The page's second look at the cluster waits until the test has changed it: what the
    // page shows at the end it can only have learned by refreshing by itself.
    HeldClusterView view = new HeldClusterView(new AdminClusterView(client));
    GatewayConfig config = new GatewayConfig();
    config.listen = "127.0.0.1:0";
    config.trackers = cluster.trackerAddresses();
    config.uiRefreshMs = 500;
    try (GatewayServer ui = GatewayServer.start(config, new ClientFileSource(client), view,
        Metrics.newRegistry("gateway"))) {
      CompletableFuture<String> page = CompletableFuture.supplyAsync(() -> {
        try {
          // Virtual time stands still while the held request is pending.
          return HeadlessChromium.dumpDom(chromium, "http://127.0.0.1:" + ui.port() + "/ui", 20_000,
              dir.resolve("chromium-profile"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
      assertTrue(view.secondLookStarted.await(2, TimeUnit.MINUTES), "the page did not refresh by itself");
      TestClusters.createDomain(client, "refreshed", 2);
      FsckStatus fsck = runFsckToTheEnd();
      view.release.countDown();
      String dom = page.get(2, TimeUnit.MINUTES);
      for (String tracker : new String[] {"t1", "t2", "t3"}) {
        assertTrue(dom.contains("<td>" + tracker + "</td>"), "tracker " + tracker + " shown:\n" + dom);
      }
      assertTrue(dom.contains(">LEADER</td>"), "the leader is shown:\n" + dom);
      for (String datanode : new String[] {"dn1", "dn2", "dn3"}) {
        assertTrue(dom.contains(datanode + " (127.0.0.1:"), "device host " + datanode + " shown:\n" + dom);
        assertTrue(dom.matches("(?s).*<tr><td>" + datanode + "</td><td>127\\.0\\.0\\.1:\\d+</td><td></td>"
            + "<td>alive</td><td>yes</td><td>[0-9.]+ s ago</td></tr>.*"), "datanode " + datanode + " row:\n" + dom);
      }
      assertTrue(dom.contains("<td>dev1</td>"), "devices shown:\n" + dom);
      assertTrue(dom.contains("<td>web</td>"), "domains shown:\n" + dom);
      assertTrue(dom.contains(">healthy"), "cluster status shown:\n" + dom);
      // Created, and the fsck run, only after the page's first look.
      assertTrue(dom.contains("<td>refreshed</td>"), "the new domain shown after a refresh:\n" + dom);
      assertTrue(dom.contains("<tr><td>fsck</td><td>finished</td></tr>"), "fsck state shown:\n" + dom);
      assertTrue(dom.contains("<tr><td>fsck fids checked</td><td>" + fsck.getFidsChecked() + "</td></tr>"),
          "fsck progress shown:\n" + dom);
      assertTrue(dom.contains("<tr><td>fsck problems found</td><td>" + fsck.getProblems() + "</td></tr>"),
          "fsck problems shown:\n" + dom);
    } finally {
      view.release.countDown();
    }
  }

  /** The cluster as the dashboard sees it, its second look held until {@link #release}. */
  private static final class HeldClusterView implements ClusterView {
    private final ClusterView delegate;
    private final AtomicInteger looks = new AtomicInteger();
    final CountDownLatch secondLookStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    HeldClusterView(ClusterView delegate) {
      this.delegate = delegate;
    }

    @Override
    public ClusterCheck check() {
      // The dashboard's JSON asks for the check first, then the rest.
      if (looks.incrementAndGet() == 2) {
        secondLookStarted.countDown();
        try {
          if (!release.await(3, TimeUnit.MINUTES)) {
            throw new IllegalStateException("the test never released the dashboard");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return delegate.check();
    }

    @Override
    public ListDomainsResponse domains() {
      return delegate.domains();
    }

    @Override
    public ClusterStats stats() {
      return delegate.stats();
    }

    @Override
    public FsckStatus fsck() {
      return delegate.fsck();
    }
  }
}
