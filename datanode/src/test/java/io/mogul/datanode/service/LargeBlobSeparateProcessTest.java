package io.mogul.datanode.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.mogul.proto.BlobMeta;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteTrailer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A 1 GiB blob written and read through a datanode process limited to a 256 MiB heap. */
@Timeout(280)
class LargeBlobSeparateProcessTest {
  private static final long SIZE = 1L << 30;
  private static final int CHUNK = 1 << 20;

  @TempDir Path dir;

  @Test
  void oneGibibyteBlobStreamsThroughASmallHeapDatanode() throws Exception {
    Path config = dir.resolve("datanode.yaml");
    Files.writeString(config, String.join("\n",
        "hostName: big1",
        "listen: 127.0.0.1:0",
        "dataDir: " + dir.resolve("data"),
        "devices: 1",
        "trackers: []",
        "reserveBytes: 0",
        ""));
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.mogul.datanode.server.DatanodeMain",
        "--config", config.toString()))
        .redirectErrorStream(true).start();
    try {
      String address = awaitReady(p);
      long seed = 31;
      try (DataNodeClient c = new DataNodeClient(address)) {
        SplittableRandom gen = new SplittableRandom(seed);
        CRC32C sent = new CRC32C();
        long[] produced = {0};
        long start = System.nanoTime();
        CompletableFuture<WriteResponse> w = c.write(1, 1, SIZE, () -> {
          if (produced[0] >= SIZE) {
            return null;
          }
          ByteBuffer b = ByteBuffer.allocate(CHUNK);
          while (b.hasRemaining()) {
            b.putLong(gen.nextLong());
          }
          b.flip();
          sent.update(b.duplicate());
          produced[0] += CHUNK;
          return ByteString.copyFrom(b);
        }, () -> WriteTrailer.newBuilder().setLength(SIZE).setCrc32C((int) sent.getValue()).build());
        WriteResponse resp = w.get(200, TimeUnit.SECONDS);
        assertEquals(SIZE, resp.getLength(), "seed " + seed);
        double writeSecs = (System.nanoTime() - start) / 1e9;

        start = System.nanoTime();
        Iterator<ReadResponse> it = c.blocking.read(ReadRequest.newBuilder().setFid(1).setDeviceId(1)
            .setOffset(0).setLength(-1).build());
        BlobMeta meta = it.next().getMeta();
        assertEquals(SIZE, meta.getLength());
        CRC32C got = new CRC32C();
        long received = 0;
        while (it.hasNext()) {
          ByteString chunk = it.next().getChunk();
          got.update(chunk.asReadOnlyByteBuffer());
          received += chunk.size();
        }
        assertEquals(SIZE, received, "seed " + seed);
        assertEquals((int) sent.getValue(), (int) got.getValue(), "seed " + seed);
        assertEquals((int) sent.getValue(), meta.getCrc32C());
        double readSecs = (System.nanoTime() - start) / 1e9;
        System.out.printf("1 GiB write %.1f s, read %.1f s%n", writeSecs, readSecs);
      }
      assertTrue(p.isAlive(), "datanode process must survive the transfer");
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static String awaitReady(Process p) throws Exception {
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("DATANODE_READY ")) {
            ready.complete(line.substring("DATANODE_READY ".length()).trim());
          } else if (!ready.isDone()) {
            System.out.println("[datanode] " + line);
          }
        }
        ready.completeExceptionally(new AssertionError("datanode exited before it was ready"));
      } catch (Exception e) {
        ready.completeExceptionally(e);
      }
    }, "datanode-output");
    t.setDaemon(true);
    t.start();
    return ready.get(60, TimeUnit.SECONDS);
  }
}
