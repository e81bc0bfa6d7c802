package io.mogul.datanode.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Counter;
import io.mogul.datanode.config.DatanodeConfig;
import io.mogul.datanode.server.DatanodeServer;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code Read} stream whose client takes nothing must not make the datanode read (and
 * buffer) the whole blob: it sends only while the transport is ready. Observed through the
 * bytes-out meter the datanode exports for every gRPC method.
 */
@Timeout(120)
class ReadFlowControlTest {
  private static final int BLOB_BYTES = 40 << 20;
  private static final int CLIENT_WINDOW = 1 << 20;
  /** Client window (stream and connection) plus a chunk in flight plus transport buffers, with room. */
  private static final long MOST_SENT_TO_A_STALLED_READER = 8L << 20;

  @TempDir Path dir;
  private final TestDatanodes nodes = new TestDatanodes();

  @AfterEach
  void closeAll() throws Exception {
    nodes.close();
  }

  @Test
  void slowReaderMakesTheServerHoldAtMostAWindow() throws Exception {
    DatanodeConfig c = DataNodeServiceTest.config(dir);
    c.storage.volumeSizeBytes = 64L << 20;
    DatanodeServer dn = nodes.start(c);
    byte[] data = new byte[BLOB_BYTES];
    new Random(77).nextBytes(data);
    nodes.client(dn).write(5, 1, data, 1 << 20);

    // A fixed window (no automatic growth) and no request(n): the client takes nothing.
    ManagedChannel ch = NettyChannelBuilder.forTarget(dn.address()).usePlaintext().flowControlWindow(CLIENT_WINDOW)
        .maxInboundMessageSize(32 << 20).build();
    nodes.closeLater(() -> ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    ClientCall<ReadRequest, ReadResponse> call = ch.newCall(DataNodeGrpc.getReadMethod(), CallOptions.DEFAULT);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onMessage(ReadResponse r) {
        if (r.hasChunk()) {
          received.writeBytes(r.getChunk().toByteArray());
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.sendMessage(ReadRequest.newBuilder().setFid(5).setDeviceId(1).setOffset(0).setLength(-1).build());
    call.halfClose();

    long stalledAt = awaitStall(() -> bytesSent(dn));
    assertTrue(stalledAt >= CLIENT_WINDOW / 2, "the server sends up to the window first, sent " + stalledAt);
    assertTrue(stalledAt <= MOST_SENT_TO_A_STALLED_READER,
        "a reader that takes nothing got " + stalledAt + " bytes of a " + BLOB_BYTES + " byte blob");

    call.request(Integer.MAX_VALUE);
    assertEquals(Status.Code.OK, closed.get(60, TimeUnit.SECONDS).getCode());
    assertArrayEquals(data, received.toByteArray());
    assertTrue(bytesSent(dn) >= BLOB_BYTES, "the whole blob is sent once the reader reads");
  }

  /** Bytes of {@code Read} responses the datanode has handed to its transport. */
  private static long bytesSent(DatanodeServer dn) {
    Counter c = dn.metrics().find("mogul.grpc.server.bytes")
        .tag("method", DataNodeGrpc.getReadMethod().getFullMethodName()).tag("direction", "out").counter();
    return c == null ? 0 : (long) c.count();
  }

  /** Waits until the count is above zero and then stays unchanged for half a second; returns it. */
  private static long awaitStall(LongSupplier count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
    throw new AssertionError("the read never stalled; sent " + last + " bytes");
  }
}
