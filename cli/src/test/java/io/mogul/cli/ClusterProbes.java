package io.mogul.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import com.google.protobuf.ByteString;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.format.NeedleFormat;
import io.mogul.proto.BlobEntry;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.ListBlobsRequest;
import io.mogul.proto.ListBlobsResponse;
import io.mogul.proto.WriteResponse;
import io.mogul.proto.WriteSmallRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the process-cluster scenarios use to look at the cluster from outside the client:
 * direct calls to datanodes and trackers over channels kept for the test class, and bounded
 * polling for a condition.
 */
final class ClusterProbes implements AutoCloseable {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /** A plaintext channel to {@code address}, opened once and kept until {@link #close}. */
  ManagedChannel channel(String address) {
    return channels.computeIfAbsent(address, a -> NettyChannelBuilder.forTarget(a).usePlaintext().build());
  }

  /** The datanode at {@code address}, each call bounded to 10 s. */
  DataNodeGrpc.DataNodeBlockingStub datanode(String address) {
    return DataNodeGrpc.newBlockingStub(channel(address)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** Writes {@code data} as fid {@code fid}'s blob on device {@code deviceId} of the datanode at {@code address}. */
  WriteResponse writeBlob(String address, int deviceId, long fid, byte[] data) {
    return datanode(address).writeSmall(WriteSmallRequest.newBuilder().setFid(fid).setDeviceId(deviceId)
        .setData(ByteString.copyFrom(data)).setCrc32C(NeedleFormat.crc(data, 0, data.length)).build());
  }

  /** Every fid the datanode at {@code address} holds on device {@code deviceId}, in fid order. */
  List<Long> fidsOn(String address, int deviceId) {
    List<Long> out = new ArrayList<>();
    long after = 0;
    do {
      ListBlobsResponse page = datanode(address).listFids(ListBlobsRequest.newBuilder().setDeviceId(deviceId)
          .setAfterFid(after).setLimit(1000).build());
      page.getBlobsList().stream().map(BlobEntry::getFid).forEach(out::add);
      after = page.getNextAfter();
    } while (after != 0);
    return out;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }

  /**
   * Polls {@code condition} every 200 ms until it holds, failing with {@code failure}'s text
   * (and the scenario's {@code seed}) after {@code timeout}; errors of a cluster in
   * transition count as not yet.
   */
  static void await(Duration timeout, BooleanSupplier condition, Supplier<String> failure, long seed)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastError = "";
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        MogulException m = MogulException.from(e);
        lastError = " (last error: " + m.reason() + " " + m.getMessage() + ")";
      }
      Thread.sleep(200);
    }
    String message;
    try {
      message = failure.get();
    } catch (RuntimeException e) {
      message = "condition not met (" + e + ")";
    }
    throw new AssertionError(message + lastError + " after " + timeout + "; seed " + seed);
  }
}
