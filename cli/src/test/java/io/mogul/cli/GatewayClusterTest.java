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
import io.mogul.launcher.ProcessCluster;
import io.mogul.proto.BlobRef;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.FileInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
    gateway = GatewayServer.start(config, new ClientFileSource(client), new AdminClusterView(client),
        Metrics.newRegistry("gateway"));
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
  void everyProcessServesPrometheusMetrics() throws Exception {
    get("/web/img/cat%201.jpg");
    String gatewayMetrics = new String(get("/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(gatewayMetrics.contains("mogul_gateway_requests_seconds_count"), gatewayMetrics);
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

  private static String scrape(String hostPort) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), hostPort);
    return r.body();
  }

  @Test
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
