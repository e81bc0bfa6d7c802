package io.mogul.gateway.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.common.metrics.Metrics;
import io.mogul.gateway.http.Preconditions;
import io.mogul.gateway.source.StoredFile;
import io.mogul.gateway.ui.ClusterView;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;
import io.mogul.proto.RaftRole;
import io.mogul.proto.TrackerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayHttpRulesTest {
  private static final long CREATED = 1_700_000_000_000L;
  private static final String TOKEN = "s3cret";
  private static InMemoryFileSource source;
  private static GatewayServer server;
  private static HttpClient http;
  private static String base;
  private static byte[] small;
  private static byte[] large;
  private static StoredFile smallFile;
  private static PrometheusMeterRegistry registry;
  private static ClusterView view;

  @BeforeAll
  static void start() throws IOException {
    source = new InMemoryFileSource();
    GatewayConfig config = new GatewayConfig();
    config.listen = "127.0.0.1:0";
    config.writeToken = TOKEN;
    config.chunkBytes = 16 * 1024;
    // These rules are tested on the path through the cluster (every request a lookup and a
    // read, so injected read failures show); GatewayCacheTest covers answers from memory.
    config.cache.metadataTtlMs = 0;
    config.cache.maxBytes = 0;
    view = new ClusterView() {
      @Override
      public ClusterCheck check() {
        return ClusterCheck.newBuilder().setHealthy(true).addTrackers(TrackerStatus.newBuilder()
            .setPeerId("t1").setRole(RaftRole.LEADER).setTerm(3)).build();
      }

      @Override
      public ListDomainsResponse domains() {
        throw new MogulException(ErrorReason.UNAVAILABLE, "no leader");
      }

      @Override
      public ClusterStats stats() {
        return ClusterStats.newBuilder().setFileCount(2).build();
      }

      @Override
      public FsckStatus fsck() {
        return FsckStatus.newBuilder().setRunning(true).setFidsChecked(41).setProblems(3).build();
      }
    };
    registry = Metrics.newRegistry("gateway");
    server = GatewayServer.start(config, source, view, registry);
    base = "http://127.0.0.1:" + server.port();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long seed = 20261121L;
    Random random = new Random(seed);
    small = "hello, mogul\n".getBytes(StandardCharsets.UTF_8);
    large = new byte[5 * 1024 * 1024 + 7];
    random.nextBytes(large);
    smallFile = source.store("photos", "hello.txt", small, "", CREATED);
    source.store("photos", "big/blob.bin", large, "application/x-big", CREATED);
    source.store("photos", "dir/ünï cödé+1.png", small, "", CREATED);
    source.store("photos", "empty.jpg", new byte[0], "", CREATED);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void healthySource() {
    source.failReadsWith = null;
  }

  private static HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Sends a request target no URI class accepts, over a plain socket; returns the status code. */
  private static int rawStatus(String target) throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(response.substring(9, 12));
    }
  }

  private static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).GET();
  }

  @Test
  void getReturnsBodyWithTypeLengthValidatorsAndCacheControl() throws Exception {
    HttpResponse<byte[]> r = send(get("/photos/hello.txt"));
    assertEquals(200, r.statusCode());
    assertArrayEquals(small, r.body());
    assertEquals("text/plain; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
    assertEquals(String.valueOf(small.length), r.headers().firstValue("content-length").orElseThrow());
    assertEquals(Preconditions.etag(smallFile.fid(), smallFile.crc32c()), r.headers().firstValue("etag").orElseThrow());
    assertEquals(Preconditions.httpDate(CREATED), r.headers().firstValue("last-modified").orElseThrow());
    assertEquals("public, max-age=300", r.headers().firstValue("cache-control").orElseThrow());
    assertEquals("bytes", r.headers().firstValue("accept-ranges").orElseThrow());
  }

  @Test
  void storedContentTypeWinsAndEmptyFilesHaveZeroLength() throws Exception {
    assertEquals("application/x-big",
        send(get("/photos/big/blob.bin").method("HEAD", HttpRequest.BodyPublishers.noBody()))
            .headers().firstValue("content-type").orElseThrow());
    HttpResponse<byte[]> empty = send(get("/photos/empty.jpg"));
    assertEquals(200, empty.statusCode());
    assertEquals(0, empty.body().length);
    assertEquals("image/jpeg", empty.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void headReturnsTheHeadersOfGetWithoutABody() throws Exception {
    HttpResponse<byte[]> r = send(get("/photos/big/blob.bin").method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, r.statusCode());
    assertEquals(0, r.body().length);
    assertEquals(String.valueOf(large.length), r.headers().firstValue("content-length").orElseThrow());
  }

  @Test
  void largeFilesStreamInChunksByteForByte() throws Exception {
    HttpResponse<InputStream> r = http.send(get("/photos/big/blob.bin").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    try (InputStream in = r.body()) {
      assertArrayEquals(large, in.readAllBytes());
    }
  }

  @Test
  void rangeRequestsGet206WithContentRange() throws Exception {
    HttpResponse<byte[]> r = send(get("/photos/big/blob.bin").header("Range", "bytes=100000-299999"));
    assertEquals(206, r.statusCode());
    assertEquals("bytes 100000-299999/" + large.length, r.headers().firstValue("content-range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(large, 100000, 300000), r.body());
    HttpResponse<byte[]> suffix = send(get("/photos/hello.txt").header("Range", "bytes=-5"));
    assertEquals(206, suffix.statusCode());
    assertArrayEquals(Arrays.copyOfRange(small, small.length - 5, small.length), suffix.body());
  }

  @Test
  void rangesPastTheEndGet416() throws Exception {
    HttpResponse<byte[]> r = send(get("/photos/hello.txt").header("Range", "bytes=1000-"));
    assertEquals(416, r.statusCode());
    assertEquals("bytes */" + small.length, r.headers().firstValue("content-range").orElseThrow());
  }

  @Test
  void ifRangeWithAStaleTagServesTheWholeFile() throws Exception {
    HttpResponse<byte[]> r = send(get("/photos/hello.txt").header("Range", "bytes=0-1").header("If-Range", "\"stale\""));
    assertEquals(200, r.statusCode());
    assertArrayEquals(small, r.body());
  }

  @Test
  void conditionalRequestsGet304Or412() throws Exception {
    String etag = send(get("/photos/hello.txt")).headers().firstValue("etag").orElseThrow();
    HttpResponse<byte[]> notModified = send(get("/photos/hello.txt").header("If-None-Match", etag));
    assertEquals(304, notModified.statusCode());
    assertEquals(0, notModified.body().length);
    assertEquals(etag, notModified.headers().firstValue("etag").orElseThrow());
    assertEquals(304, send(get("/photos/hello.txt")
        .header("If-Modified-Since", Preconditions.httpDate(CREATED + 5000))).statusCode());
    assertEquals(200, send(get("/photos/hello.txt")
        .header("If-Modified-Since", Preconditions.httpDate(CREATED - 5000))).statusCode());
    assertEquals(412, send(get("/photos/hello.txt").header("If-Match", "\"other\"")).statusCode());
  }

  @Test
  void percentEncodedKeysAreDecodedAsUtf8() throws Exception {
    HttpResponse<byte[]> r = send(get("/photos/dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9+1.png"));
    assertEquals(200, r.statusCode());
    assertEquals("image/png", r.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void unknownKeysAndDomainsAre404AndBadPathsAre400() throws Exception {
    assertEquals(404, send(get("/photos/nope")).statusCode());
    assertEquals(404, send(get("/other/hello.txt")).statusCode());
    assertEquals(400, rawStatus("/photos/%zz"));
    assertEquals(400, rawStatus("/photos/%C3%28"));
    assertEquals(400, send(get("/Photos/x")).statusCode());
    assertEquals(400, send(get("/photos")).statusCode());
    assertEquals(400, send(get("/photos/a%00b")).statusCode());
  }

  @Test
  void clusterFailuresMapToGatewayStatusesAndShowAmongTheDashboardsRecentErrors() throws Exception {
    source.failReadsWith = ErrorReason.UNAVAILABLE;
    assertEquals(503, send(get("/photos/hello.txt")).statusCode());
    source.failReadsWith = ErrorReason.CHECKSUM_MISMATCH;
    assertEquals(502, send(get("/photos/big/blob.bin")).statusCode());
    source.failReadsWith = null;
    String json = new String(send(get("/ui/api/cluster")).body(), StandardCharsets.UTF_8);
    String errors = json.substring(json.indexOf("\"errors\":"));
    // Newest first.
    int checksum = errors.indexOf("\"method\":\"GET\",\"path\":\"/photos/big/blob.bin\",\"status\":502");
    int unavailable = errors.indexOf("\"method\":\"GET\",\"path\":\"/photos/hello.txt\",\"status\":503");
    assertTrue(checksum >= 0 && unavailable > checksum, errors);
    assertTrue(errors.contains("injected read failure"), errors);
  }

  @Test
  void aReaderThatStopsReadingHoldsTheGatewayToABoundedBuffer() throws Exception {
    byte[] huge = new byte[32 * 1024 * 1024];
    new Random(11).nextBytes(huge);
    source.store("photos", "huge.bin", huge, "", CREATED);
    try (Socket socket = new Socket()) {
      // A small receive window, so what the gateway holds is what it read ahead itself.
      socket.setReceiveBufferSize(64 * 1024);
      socket.setSoTimeout(30_000);
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      long before = source.bytesRead.get();
      socket.getOutputStream().write("GET /photos/huge.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1));
      long held = awaitStall(() -> source.bytesRead.get() - before);
      // The connection's write buffer, the kernel's socket buffers and one chunk: a few MiB
      // at most, never the file.
      assertTrue(held < 12L * 1024 * 1024, "read " + held + " bytes of " + huge.length + " for a stalled reader");
      InputStream in = socket.getInputStream();
      byte[] head = in.readNBytes(4096);
      String text = new String(head, StandardCharsets.ISO_8859_1);
      int bodyAt = text.indexOf("\r\n\r\n") + 4;
      assertTrue(text.startsWith("HTTP/1.1 200") && bodyAt > 4, text);
      byte[] rest = in.readNBytes(huge.length - (head.length - bodyAt));
      byte[] body = new byte[huge.length];
      System.arraycopy(head, bodyAt, body, 0, head.length - bodyAt);
      System.arraycopy(rest, 0, body, head.length - bodyAt, rest.length);
      assertArrayEquals(huge, body);
    }
  }

  /** Waits until {@code count} is above 0 and has not moved for half a second; returns it. */
  private static long awaitStall(LongSupplier count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long last = -1;
    long sameSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      long now = count.getAsLong();
      if (now != last) {
        last = now;
        sameSince = System.nanoTime();
      } else if (now > 0 && System.nanoTime() - sameSince > TimeUnit.MILLISECONDS.toNanos(500)) {
        return now;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("the gateway never stopped reading; read " + last + " bytes");
  }

  @Test
  void writesNeedTheBearerToken() throws Exception {
    HttpResponse<byte[]> noToken = send(HttpRequest.newBuilder(URI.create(base + "/photos/new.txt"))
        .PUT(HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(401, noToken.statusCode());
    assertTrue(noToken.headers().firstValue("www-authenticate").orElseThrow().startsWith("Bearer"));
    assertEquals(404, send(get("/photos/new.txt")).statusCode());
    assertEquals(401, send(HttpRequest.newBuilder(URI.create(base + "/photos/hello.txt"))
        .header("Authorization", "Bearer wrong").DELETE()).statusCode());
    assertEquals(200, send(get("/photos/hello.txt")).statusCode());
  }

  @Test
  void putThenGetThenDeleteWithTheToken() throws Exception {
    byte[] body = new byte[300_000];
    new Random(7).nextBytes(body);
    HttpResponse<byte[]> put = send(HttpRequest.newBuilder(URI.create(base + "/photos/up/loaded.bin"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/x-up")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    assertEquals(201, put.statusCode());
    HttpResponse<byte[]> back = send(get("/photos/up/loaded.bin"));
    assertArrayEquals(body, back.body());
    assertEquals("application/x-up", back.headers().firstValue("content-type").orElseThrow());
    assertEquals(put.headers().firstValue("etag"), back.headers().firstValue("etag"));
    assertEquals(204, send(HttpRequest.newBuilder(URI.create(base + "/photos/up/loaded.bin"))
        .header("Authorization", "Bearer " + TOKEN).DELETE()).statusCode());
    assertEquals(404, send(get("/photos/up/loaded.bin")).statusCode());
  }

  @Test
  void otherMethodsAre405WithAllow() throws Exception {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/photos/hello.txt"))
        .method("POST", HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD, PUT, DELETE", r.headers().firstValue("allow").orElseThrow());
    assertEquals(405, send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .PUT(HttpRequest.BodyPublishers.ofString("x"))).statusCode());
  }

  @Test
  void metricsAreServedInPrometheusFormat() throws Exception {
    send(get("/photos/hello.txt"));
    HttpResponse<byte[]> r = send(get("/metrics"));
    assertEquals(200, r.statusCode());
    String text = new String(r.body(), StandardCharsets.UTF_8);
    assertTrue(text.contains("mogul_gateway_requests_seconds_count"), text);
    assertTrue(text.contains("mogul_gateway_bytes_out_bytes_total"), text);
    assertTrue(text.contains("jvm_memory_used_bytes"), text);
  }

  @Test
  void dashboardPageAndItsJsonAreServed() throws Exception {
    HttpResponse<byte[]> page = send(get("/ui"));
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"));
    assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("Mogul cluster"));
    HttpResponse<byte[]> json = send(get("/ui/api/cluster"));
    assertEquals(200, json.statusCode());
    String text = new String(json.body(), StandardCharsets.UTF_8);
    assertTrue(text.contains("\"peerId\":\"t1\""), text);
    assertTrue(text.contains("\"role\":\"LEADER\""), text);
    assertTrue(text.contains("\"domainsError\":\"UNAVAILABLE: no leader\""), text);
    assertTrue(text.contains("\"fsck\":{\"running\":true,"), text);
    assertTrue(text.contains("\"fidsChecked\":\"41\""), text);
    assertEquals(404, send(get("/ui/api/nothing")).statusCode());
  }

  @Test
  void keepAliveConnectionsServeManyRequests() throws Exception {
    for (int i = 0; i < 50; i++) {
      HttpResponse<byte[]> r = send(get("/photos/hello.txt"));
      assertEquals(200, r.statusCode());
      assertFalse(r.headers().firstValue("connection").map("close"::equalsIgnoreCase).orElse(false));
    }
  }

  /** Starts a second gateway over the same files with other settings; the caller closes it. */
  private static GatewayServer startOther(java.util.function.Consumer<GatewayConfig> settings) throws IOException {
    GatewayConfig config = new GatewayConfig();
    config.listen = "127.0.0.1:0";
    config.cache.metadataTtlMs = 0;
    config.cache.maxBytes = 0;
    settings.accept(config);
    return GatewayServer.start(config, source, view, Metrics.newRegistry("gateway"));
  }

  @Test
  void notModifiedCarriesTheValidatorsButNoLengthAndNoBody() throws Exception {
    String etag = Preconditions.etag(smallFile.fid(), smallFile.crc32c());
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("GET", "/photos/hello.txt", "If-None-Match: " + etag);
      raw.send("GET", "/photos/hello.txt");
      RawHttp.Response notModified = raw.read(false);
      assertEquals(304, notModified.status());
      String length = notModified.headers().get("content-length");
      assertTrue(length == null || length.equals(String.valueOf(small.length)),
          "a 304 announces a body length of " + length);
      assertEquals(etag, notModified.headers().get("etag"));
      assertEquals(Preconditions.httpDate(CREATED), notModified.headers().get("last-modified"));
      assertEquals("public, max-age=300", notModified.headers().get("cache-control"));
      // Had the 304 carried body bytes, this response would not parse from its first byte.
      RawHttp.Response next = raw.read(false);
      assertEquals(200, next.status());
      assertArrayEquals(small, next.body());
    }
  }

  @Test
  void headSendsTheFileLengthAndNoBodyBytesOnAKeptAliveConnection() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("HEAD", "/photos/big/blob.bin");
      raw.send("GET", "/photos/hello.txt");
      RawHttp.Response head = raw.read(true);
      assertEquals(200, head.status());
      assertEquals(String.valueOf(large.length), head.headers().get("content-length"));
      RawHttp.Response get = raw.read(false);
      assertEquals(200, get.status());
      assertEquals(String.valueOf(small.length), get.headers().get("content-length"));
      assertArrayEquals(small, get.body());
    }
  }

  @Test
  void preconditionFailedKeepsTheConnectionAlive() throws Exception {
    try (RawHttp raw = new RawHttp(server.port())) {
      raw.send("GET", "/photos/hello.txt", "If-Match: \"other\"");
      RawHttp.Response failed = raw.read(false);
      assertEquals(412, failed.status());
      assertFalse("close".equalsIgnoreCase(failed.headers().get("connection")), failed.headers().toString());
      raw.send("GET", "/photos/hello.txt");
      RawHttp.Response next = raw.read(false);
      assertEquals(200, next.status());
      assertArrayEquals(small, next.body());
    }
  }

  @Test
  void withoutAWriteTokenPutAndDeleteAre405WithAllow() throws Exception {
    try (GatewayServer readOnly = startOther(c -> c.writeToken = "")) {
      String other = "http://127.0.0.1:" + readOnly.port();
      HttpResponse<byte[]> put = send(HttpRequest.newBuilder(URI.create(other + "/photos/new.txt"))
          .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofString("x")));
      assertEquals(405, put.statusCode());
      assertEquals("GET, HEAD", put.headers().firstValue("allow").orElseThrow());
      HttpResponse<byte[]> delete = send(HttpRequest.newBuilder(URI.create(other + "/photos/hello.txt"))
          .header("Authorization", "Bearer " + TOKEN).DELETE());
      assertEquals(405, delete.statusCode());
      assertEquals("GET, HEAD", delete.headers().firstValue("allow").orElseThrow());
      assertEquals(404, send(get("/photos/new.txt")).statusCode());
      assertEquals(200, send(get("/photos/hello.txt")).statusCode());
    }
  }

  @Test
  void aConfiguredCacheControlIsSentAndAnEmptyOneSendsNone() throws Exception {
    try (GatewayServer custom = startOther(c -> c.cacheControl = "private, max-age=7");
        GatewayServer none = startOther(c -> c.cacheControl = "")) {
      HttpResponse<byte[]> r = send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + custom.port() + "/photos/hello.txt")));
      assertEquals(200, r.statusCode());
      assertEquals(List.of("private, max-age=7"), r.headers().allValues("cache-control"));
      HttpResponse<byte[]> bare = send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + none.port() + "/photos/hello.txt")));
      assertEquals(200, bare.statusCode());
      assertEquals(List.of(), bare.headers().allValues("cache-control"));
    }
  }

  @Test
  void backwardsAndMultipleRangesServeTheWholeFile() throws Exception {
    for (String range : List.of("bytes=5-1", "bytes=0-1,3-4", "bytes=0-1, 5-", "bytes=x-3")) {
      HttpResponse<byte[]> r = send(get("/photos/hello.txt").header("Range", range));
      assertEquals(200, r.statusCode(), range);
      assertTrue(r.headers().firstValue("content-range").isEmpty(), range);
      assertArrayEquals(small, r.body(), range);
    }
  }

  @Test
  void encodedDotSegmentsNeverReachAnotherKey() throws Exception {
    for (String target : List.of("/photos/dir/..%2Fhello.txt", "/photos/dir/%2e%2e/hello.txt",
        "/photos/dir/%2E%2E%2Fhello.txt", "/photos/..%2F..%2Fetc%2Fpasswd", "/%2e%2e/photos/hello.txt",
        "/photos/dir/../hello.txt", "/photos/./hello.txt")) {
      try (RawHttp raw = new RawHttp(server.port())) {
        raw.send("GET", target);
        RawHttp.Response r = raw.read(false);
        assertTrue(r.status() == 404 || r.status() == 400, target + " answered " + r.status());
        assertFalse(Arrays.equals(small, r.body()), target + " served a file");
      }
    }
  }

  @Test
  void putToTheDashboardIs405() throws Exception {
    HttpResponse<byte[]> r = send(HttpRequest.newBuilder(URI.create(base + "/ui"))
        .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD", r.headers().firstValue("allow").orElseThrow());
  }

  @Test
  void bytesInGrowByTheStoredLengthOfAPut() throws Exception {
    double before = registry.counter("mogul.gateway.bytes.in").count();
    byte[] body = new byte[12_345];
    new Random(11).nextBytes(body);
    assertEquals(201, send(HttpRequest.newBuilder(URI.create(base + "/photos/counted.bin"))
        .header("Authorization", "Bearer " + TOKEN).PUT(HttpRequest.BodyPublishers.ofByteArray(body))).statusCode());
    assertEquals(before + body.length, registry.counter("mogul.gateway.bytes.in").count());
    assertTrue(new String(send(get("/metrics")).body(), StandardCharsets.UTF_8)
        .contains("mogul_gateway_bytes_in_bytes_total"));
  }
}
