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
import io.mogul.launcher.ProcessCluster;
import io.mogul.proto.BlobRef;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.FileInfo;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

  private static String scrape(String hostPort) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), hostPort);
    return r.body();
  }

  @Test
  // Room for installing Chromium (HeadlessChromium.INSTALL_BUDGET, 12 min) and the checks.
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void dashboardInAHeadlessBrowserShowsTrackersAndDevices() throws Exception {
    Path chromium = HeadlessChromium.ensureInstalled();
    String dom = HeadlessChromium.dumpDom(chromium, base + "/ui", 8000, dir.resolve("chromium-profile"));
    for (String tracker : new String[] {"t1", "t2", "t3"}) {
      assertTrue(dom.contains("<td>" + tracker + "</td>"), "tracker " + tracker + " shown:\n" + dom);
    }
    assertTrue(dom.contains(">LEADER</td>"), "the leader is shown:\n" + dom);
    for (String datanode : new String[] {"dn1", "dn2", "dn3"}) {
      assertTrue(dom.contains(datanode + " (127.0.0.1:"), "datanode " + datanode + " shown:\n" + dom);
    }
    assertTrue(dom.contains("<td>dev1</td>"), "devices shown:\n" + dom);
    assertTrue(dom.contains("<td>web</td>"), "domains shown:\n" + dom);
    assertTrue(dom.contains(">healthy"), "cluster status shown:\n" + dom);
  }
}
