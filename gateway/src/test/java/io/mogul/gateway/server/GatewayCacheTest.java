package io.mogul.gateway.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mogul.common.MogulException;
import io.mogul.common.metrics.Metrics;
import io.mogul.gateway.ui.ClusterView;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway's key-version and content caches, against a counting in-memory source: what
 * is answered from memory makes no cluster call, what is not cached goes to the cluster,
 * and answers from memory keep every HTTP rule.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayCacheTest {
  private static final long CREATED = 1_700_000_000_000L;
  private static final long TTL_MS = 5000;
  private static final String TOKEN = "s3cret";
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final ClusterView NO_VIEW = new ClusterView() {
    @Override
    public ClusterCheck check() {
      throw new MogulException(ErrorReason.UNAVAILABLE, "not used");
    }

    @Override
    public ListDomainsResponse domains() {
      throw new MogulException(ErrorReason.UNAVAILABLE, "not used");
    }

    @Override
    public ClusterStats stats() {
      throw new MogulException(ErrorReason.UNAVAILABLE, "not used");
    }

    @Override
    public FsckStatus fsck() {
      throw new MogulException(ErrorReason.UNAVAILABLE, "not used");
    }
  };

  private final InMemoryFileSource source = new InMemoryFileSource();
  private final AtomicLong clockNanos = new AtomicLong(1_000_000_000L);
  private final List<GatewayServer> servers = new ArrayList<>();
  private PrometheusMeterRegistry registry;
  private String base;

  @BeforeEach
  void resetHooks() {
    source.afterStat = null;
  }

  @AfterEach
  void stopServers() {
    servers.forEach(GatewayServer::close);
  }

  /** Starts a gateway over {@link #source} with the test clock; returns its base URL. */
  private String start(Consumer<GatewayConfig> settings) throws IOException {
    GatewayConfig config = new GatewayConfig();
    config.listen = "127.0.0.1:0";
    config.writeToken = TOKEN;
    config.chunkBytes = 16 * 1024;
    config.cache.metadataTtlMs = TTL_MS;
    settings.accept(config);
    registry = Metrics.newRegistry("gateway");
    GatewayServer server = GatewayServer.start(config, source, NO_VIEW, registry, clockNanos::get);
    servers.add(server);
    base = "http://127.0.0.1:" + server.port();
    return base;
  }

  private static byte[] random(int length, long seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static HttpResponse<byte[]> getAt(String base, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    return getAt(base, path, headers);
  }

  private HttpResponse<byte[]> head(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> put(String path, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TOKEN)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private double lookups(String cache, String result) {
    return registry.get("mogul.gateway.cache.lookups").tags("cache", cache, "result", result).counter().count();
  }

  private double cachedBytes() {
    Gauge gauge = registry.get("mogul.gateway.cache.bytes").tags("cache", "blob").gauge();
    return gauge.value();
  }

  private void advanceMs(long ms) {
    clockNanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void repeatedGetIsServedFromMemoryWithoutAClusterCall() throws Exception {
    start(c -> { });
    byte[] data = random(4096, 1);
    source.store("photos", "a/one.jpg", data, "", CREATED);
    HttpResponse<byte[]> first = get("/photos/a/one.jpg");
    assertEquals(200, first.statusCode());
    assertArrayEquals(data, first.body());
    assertEquals(1, source.stats.get(), "the first GET looks the key up");
    assertEquals(1, source.opens.get(), "the first GET reads the content");
    int calls = source.clusterCalls();

    for (int i = 0; i < 3; i++) {
      HttpResponse<byte[]> again = get("/photos/a/one.jpg");
      assertEquals(200, again.statusCode());
      assertArrayEquals(data, again.body());
      assertEquals(first.headers().map(), again.headers().map());
    }
    assertEquals(calls, source.clusterCalls(), "repeated GETs make no cluster call");
    assertEquals(3, lookups("metadata", "hit"));
    assertEquals(1, lookups("metadata", "miss"));
    assertEquals(3, lookups("blob", "hit"));
    assertEquals(1, lookups("blob", "miss"));
    assertEquals(4096, cachedBytes());
    String metrics = new String(get("/metrics").body(), StandardCharsets.UTF_8);
    assertTrue(metrics.contains("mogul_gateway_cache_lookups_total{cache=\"blob\",result=\"hit\",role=\"gateway\"} 3.0"),
        metrics);
    assertTrue(metrics.contains(
        "mogul_gateway_cache_lookups_total{cache=\"metadata\",result=\"miss\",role=\"gateway\"} 1.0"), metrics);
    assertTrue(metrics.contains("mogul_gateway_cache_bytes{cache=\"blob\",role=\"gateway\"} 4096.0"), metrics);
  }

  @Test
  void rangesOfACachedFileAreSlicedFromMemory() throws Exception {
    start(c -> { });
    byte[] data = random(40_000, 2);
    source.store("photos", "r.bin", data, "", CREATED);
    assertArrayEquals(data, get("/photos/r.bin").body());
    int calls = source.clusterCalls();

    HttpResponse<byte[]> middle = get("/photos/r.bin", "Range", "bytes=100-199");
    assertEquals(206, middle.statusCode());
    assertEquals("bytes 100-199/40000", middle.headers().firstValue("content-range").orElseThrow());
    assertEquals("100", middle.headers().firstValue("content-length").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(data, 100, 200), middle.body());

    HttpResponse<byte[]> suffix = get("/photos/r.bin", "Range", "bytes=-5");
    assertEquals(206, suffix.statusCode());
    assertArrayEquals(Arrays.copyOfRange(data, data.length - 5, data.length), suffix.body());

    // Longer than one chunk: streamed from memory in chunks on a worker.
    HttpResponse<byte[]> tail = get("/photos/r.bin", "Range", "bytes=5000-");
    assertEquals(206, tail.statusCode());
    assertEquals("bytes 5000-39999/40000", tail.headers().firstValue("content-range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(data, 5000, data.length), tail.body());

    HttpResponse<byte[]> past = get("/photos/r.bin", "Range", "bytes=40000-");
    assertEquals(416, past.statusCode());
    assertEquals("bytes */40000", past.headers().firstValue("content-range").orElseThrow());

    HttpResponse<byte[]> staleIfRange = get("/photos/r.bin", "Range", "bytes=0-1", "If-Range", "\"stale\"");
    assertEquals(200, staleIfRange.statusCode());
    assertArrayEquals(data, staleIfRange.body());

    HttpResponse<byte[]> several = get("/photos/r.bin", "Range", "bytes=0-1,5-6");
    assertEquals(200, several.statusCode());
    assertArrayEquals(data, several.body());
    assertEquals(calls, source.clusterCalls(), "ranges of a cached file make no cluster call");
  }

  @Test
  void conditionalAndHeadRequestsOnACachedVersionMakeNoClusterCall() throws Exception {
    start(c -> { });
    byte[] data = random(1000, 3);
    source.store("photos", "c.png", data, "", CREATED);
    String etag = get("/photos/c.png").headers().firstValue("etag").orElseThrow();
    int calls = source.clusterCalls();

    HttpResponse<byte[]> notModified = get("/photos/c.png", "If-None-Match", etag);
    assertEquals(304, notModified.statusCode());
    assertEquals(0, notModified.body().length);
    assertEquals(etag, notModified.headers().firstValue("etag").orElseThrow());
    HttpResponse<byte[]> h = head("/photos/c.png");
    assertEquals(200, h.statusCode());
    assertEquals(0, h.body().length);
    assertEquals("1000", h.headers().firstValue("content-length").orElseThrow());
    assertEquals("image/png", h.headers().firstValue("content-type").orElseThrow());
    assertEquals(412, get("/photos/c.png", "If-Match", "\"other\"").statusCode());
    assertEquals(calls, source.clusterCalls());
  }

  @Test
  void answersFromMemoryCarryTheSameStatusHeadersAndBodyAsAnswersFromTheCluster() throws Exception {
    String uncached = start(c -> {
      c.cache.metadataTtlMs = 0;
      c.cache.maxBytes = 0;
    });
    String cached = start(c -> { });
    byte[] data = random(30_000, 4);
    source.store("photos", "same.txt", data, "", CREATED);
    String etag = getAt(uncached, "/photos/same.txt").headers().firstValue("etag").orElseThrow();
    getAt(cached, "/photos/same.txt");
    String[][] variants = {
        {},
        {"Range", "bytes=10-20"},
        {"Range", "bytes=-100"},
        {"Range", "bytes=20000-"},
        {"Range", "bytes=30000-"},
        {"Range", "bytes=0-1", "If-Range", "\"other\""},
        {"Range", "bytes=0-1", "If-Range", etag},
        {"If-None-Match", etag},
        {"If-None-Match", "\"other\""},
        {"If-Modified-Since", "Tue, 14 Nov 2023 22:13:21 GMT"},
    };
    List<String> compared = List.of("etag", "last-modified", "content-type", "content-length", "content-range",
        "accept-ranges", "cache-control");
    for (String[] headers : variants) {
      HttpResponse<byte[]> expected = getAt(uncached, "/photos/same.txt", headers);
      int calls = source.clusterCalls();
      HttpResponse<byte[]> actual = getAt(cached, "/photos/same.txt", headers);
      String what = Arrays.toString(headers);
      assertEquals(calls, source.clusterCalls(), what + " answered from memory");
      assertEquals(expected.statusCode(), actual.statusCode(), what);
      assertArrayEquals(expected.body(), actual.body(), what);
      for (String name : compared) {
        assertEquals(expected.headers().allValues(name), actual.headers().allValues(name), what + " " + name);
      }
    }
  }

  @Test
  void overwriteAndDeleteThroughTheGatewayAreServedAtOnce() throws Exception {
    start(c -> { });
    byte[] v1 = random(2000, 5);
    byte[] v2 = random(3000, 6);
    source.store("photos", "w.bin", v1, "", CREATED);
    assertArrayEquals(v1, get("/photos/w.bin").body());
    assertArrayEquals(v1, get("/photos/w.bin").body());

    assertEquals(201, put("/photos/w.bin", v2).statusCode());
    HttpResponse<byte[]> after = get("/photos/w.bin");
    assertEquals(200, after.statusCode());
    assertArrayEquals(v2, after.body(), "the clock has not moved: only the invalidation explains v2");

    assertEquals(204, HTTP.send(HttpRequest.newBuilder(URI.create(base + "/photos/w.bin"))
        .header("Authorization", "Bearer " + TOKEN).DELETE().build(), HttpResponse.BodyHandlers.discarding())
        .statusCode());
    assertEquals(404, get("/photos/w.bin").statusCode());
  }

  @Test
  void aLargePutReplacesACachedSmallVersionAndStreamsBack() throws Exception {
    start(c -> { });
    byte[] small = random(1000, 20);
    byte[] large = random(16 * 1024 * 1024 + 3, 21);   // well past the request body's 1 MiB high-water mark
    source.store("photos", "grow.bin", small, "", CREATED);
    assertArrayEquals(small, get("/photos/grow.bin").body());
    assertEquals(201, put("/photos/grow.bin", large).statusCode());
    HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/photos/grow.bin")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    try (InputStream in = r.body()) {
      assertArrayEquals(large, in.readAllBytes());
    }
  }

  @Test
  void anotherClientsOverwriteIsServedStaleUntilTheTtlThenPickedUp() throws Exception {
    start(c -> { });
    byte[] v1 = random(2000, 7);
    byte[] v2 = random(2500, 8);
    source.store("photos", "t.bin", v1, "", CREATED);
    assertArrayEquals(v1, get("/photos/t.bin").body());
    source.store("photos", "t.bin", v2, "", CREATED + 1000);   // another client, not through this gateway

    advanceMs(TTL_MS - 1);
    int stats = source.stats.get();
    assertArrayEquals(v1, get("/photos/t.bin").body(), "within the TTL the old version is served");
    assertEquals(stats, source.stats.get());

    advanceMs(2);
    HttpResponse<byte[]> fresh = get("/photos/t.bin");
    assertArrayEquals(v2, fresh.body(), "after the TTL the new version is looked up");
    assertEquals(stats + 1, source.stats.get());

    source.delete("photos", "t.bin");   // another client
    assertEquals(200, get("/photos/t.bin").statusCode());
    advanceMs(TTL_MS + 1);
    assertEquals(404, get("/photos/t.bin").statusCode());
  }

  @Test
  void filesAboveMaxBlobBytesAreStreamedNotCached() throws Exception {
    start(c -> c.cache.maxBlobBytes = 64 * 1024);
    byte[] big = random(200_000, 9);
    source.store("photos", "big.bin", big, "", CREATED);
    for (int i = 1; i <= 3; i++) {
      HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/photos/big.bin")).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, r.statusCode());
      try (InputStream in = r.body()) {
        assertArrayEquals(big, in.readAllBytes());
      }
      assertEquals(i, source.opens.get(), "every GET reads the content from the source");
    }
    assertEquals(1, source.stats.get(), "the version itself is cached");
    assertEquals(0, cachedBytes());
    assertEquals(0, lookups("blob", "hit") + lookups("blob", "miss"), "not even looked for");
  }

  @Test
  void zeroTtlAsksTheTrackerForEveryRequest() throws Exception {
    start(c -> c.cache.metadataTtlMs = 0);
    byte[] v1 = random(1000, 10);
    byte[] v2 = random(1000, 11);
    source.store("photos", "z.bin", v1, "", CREATED);
    for (int i = 1; i <= 3; i++) {
      assertArrayEquals(v1, get("/photos/z.bin").body());
      assertEquals(i, source.stats.get(), "every request looks the key up");
    }
    assertEquals(1, source.opens.get(), "the content of the same fid is still cached");
    source.store("photos", "z.bin", v2, "", CREATED);   // another client
    assertArrayEquals(v2, get("/photos/z.bin").body(), "a change is seen at once");
    assertEquals(0, lookups("metadata", "hit") + lookups("metadata", "miss"));
  }

  @Test
  void bytesFailingTheirChecksumAreNeitherServedNorCached() throws Exception {
    start(c -> { });
    byte[] data = random(5000, 12);
    source.store("photos", "rot.bin", data, "", CREATED);
    byte[] rotten = data.clone();
    rotten[1234] ^= 0x40;
    source.corruptReadsWith = rotten;
    assertEquals(502, get("/photos/rot.bin").statusCode());
    assertEquals(0, cachedBytes());
    assertEquals(1.0, registry.get("mogul.gateway.cache.rejected").counter().count());

    source.corruptReadsWith = null;
    assertArrayEquals(data, get("/photos/rot.bin").body());
    assertEquals(2, source.opens.get());
    assertArrayEquals(data, get("/photos/rot.bin").body());
    assertEquals(2, source.opens.get(), "the good bytes were cached");
  }

  @Test
  void aRangeOfAnUncachedFileIsReadFromTheSourceAndNotCached() throws Exception {
    start(c -> { });
    byte[] data = random(10_000, 13);
    source.store("photos", "p.bin", data, "", CREATED);
    HttpResponse<byte[]> part = get("/photos/p.bin", "Range", "bytes=10-19");
    assertEquals(206, part.statusCode());
    assertArrayEquals(Arrays.copyOfRange(data, 10, 20), part.body());
    assertEquals(1, source.opens.get());
    assertEquals(0, cachedBytes(), "a partial read never fills the cache");

    assertArrayEquals(data, get("/photos/p.bin").body());
    assertEquals(2, source.opens.get(), "the whole read fills it");
    assertArrayEquals(Arrays.copyOfRange(data, 10, 20), get("/photos/p.bin", "Range", "bytes=10-19").body());
    assertEquals(2, source.opens.get());
  }

  @Test
  void aCachedVersionWhoseCopiesMovedIsLookedUpAgain() throws Exception {
    start(c -> c.cache.maxBytes = 0);
    byte[] data = random(3000, 16);
    source.store("photos", "m.bin", data, "", CREATED);
    assertArrayEquals(data, get("/photos/m.bin").body());
    source.moveCopies("photos", "m.bin", List.of(DeviceLocation.newBuilder().setDeviceId(7).setHostId(3)
        .setAddress("127.0.0.1:1").build()));
    int stats = source.stats.get();
    HttpResponse<byte[]> r = get("/photos/m.bin");
    assertEquals(200, r.statusCode());
    assertArrayEquals(data, r.body());
    assertEquals(stats + 1, source.stats.get(), "one fresh lookup after the cached locations failed");
    assertEquals(1.0, registry.get("mogul.gateway.cache.refreshes").counter().count());
    assertArrayEquals(data, get("/photos/m.bin").body());
    assertEquals(stats + 1, source.stats.get(), "the fresh version is cached");
  }

  @Test
  void aCachedVersionWhoseBlobWasDeletedServesTheCurrentVersionOr404() throws Exception {
    start(c -> c.cache.maxBytes = 0);
    byte[] v1 = random(3000, 17);
    byte[] v2 = random(3100, 18);
    long oldFid = source.store("photos", "gc.bin", v1, "", CREATED).fid();
    assertArrayEquals(v1, get("/photos/gc.bin").body());
    source.store("photos", "gc.bin", v2, "", CREATED);   // another client
    source.deleteBlob(oldFid);                             // and the old blob is gone
    HttpResponse<byte[]> r = get("/photos/gc.bin");
    assertEquals(200, r.statusCode(), "not a 404 for a key that exists");
    assertArrayEquals(v2, r.body());

    long newFid = source.stat("photos", "gc.bin").fid();
    source.delete("photos", "gc.bin");   // another client deletes it
    source.deleteBlob(newFid);
    assertEquals(404, get("/photos/gc.bin").statusCode(), "a deleted key whose blob is gone is 404 at once");
  }

  @Test
  void aCachedVersionThatStillFailsAfterALookupReportsTheFailure() throws Exception {
    start(c -> c.cache.maxBytes = 0);
    source.store("photos", "down.bin", random(3000, 19), "", CREATED);
    assertEquals(200, get("/photos/down.bin").statusCode());
    source.failReadsWith = ErrorReason.UNAVAILABLE;
    try {
      int stats = source.stats.get();
      assertEquals(503, get("/photos/down.bin").statusCode());
      assertEquals(stats + 1, source.stats.get(), "looked up once, found unchanged, not read again");
    } finally {
      source.failReadsWith = null;
    }
  }

  @Test
  void aLookupRacingAnOverwriteThroughTheGatewayIsNotCached() throws Exception {
    start(c -> { });
    byte[] v1 = random(1000, 14);
    byte[] v2 = random(1000, 15);
    source.store("photos", "race.bin", v1, "", CREATED);
    CountDownLatch inLookup = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean first = new AtomicBoolean(true);
    source.afterStat = file -> {
      if (first.compareAndSet(true, false)) {
        inLookup.countDown();
        try {
          assertTrue(release.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    };
    CompletableFuture<HttpResponse<byte[]>> slow = HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(base + "/photos/race.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertTrue(inLookup.await(30, TimeUnit.SECONDS));
    // The lookup has found v1 and is held; the overwrite completes meanwhile.
    assertEquals(201, put("/photos/race.bin", v2).statusCode());
    release.countDown();
    assertArrayEquals(v1, slow.get(30, TimeUnit.SECONDS).body(), "the racing GET began before the overwrite");
    assertArrayEquals(v2, get("/photos/race.bin").body(), "its old version was not cached");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    start(c -> { });
    byte[] slow = "slow, from the source".getBytes(StandardCharsets.UTF_8);
    byte[] fast = "fast, from memory".getBytes(StandardCharsets.UTF_8);
    source.store("photos", "slow.txt", slow, "", CREATED);
    source.store("photos", "fast.txt", fast, "", CREATED);
    assertArrayEquals(fast, get("/photos/fast.txt").body());
    CountDownLatch inLookup = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    source.afterStat = file -> {
      if (file.key().equals("slow.txt")) {
        inLookup.countDown();
        try {
          assertTrue(release.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    };
    try (Socket socket = new Socket("127.0.0.1", servers.get(0).port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /photos/slow.txt HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /photos/fast.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertTrue(inLookup.await(30, TimeUnit.SECONDS));
      release.countDown();
      InputStream in = socket.getInputStream();
      assertArrayEquals(slow, readBody(in), "the first request's answer comes first");
      assertArrayEquals(fast, readBody(in));
    }
  }

  /** Reads one HTTP/1.1 response with a Content-Length from a raw connection; returns its body. */
  private static byte[] readBody(InputStream in) {
    try {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int c = in.read();
        if (c < 0) {
          throw new IOException("connection closed inside a response head: " + head);
        }
        head.append((char) c);
      }
      int length = -1;
      for (String line : head.toString().split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
      assertTrue(length >= 0, head.toString());
      return in.readNBytes(length);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
