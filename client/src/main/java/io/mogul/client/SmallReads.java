package io.mogul.client;

import io.mogul.common.MogulException;
import io.mogul.common.grpc.ChannelPool;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadSmallReply;
import io.mogul.proto.ReadSmallRequest;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * Whole small blobs read over one ReadSmallStream call per datanode, shared by every
 * concurrent reader of this client. Each blob is checked against the length and CRC32C the
 * tracker recorded before it is handed out; callers fall over to the next copy on any
 * failure.
 */
final class SmallReads implements AutoCloseable {
  /** Largest blob the datanodes answer on ReadSmallStream (one checksum chunk). */
  static final int MAX_BYTES = 1024 * 1024;

  private final PipelinedStreams<ReadSmallRequest, ReadSmallReply> streams;

  SmallReads(ChannelPool channels) {
    this.streams = new PipelinedStreams<>(channels, DataNodeGrpc.DataNodeStub::readSmallStream,
        r -> new PipelinedStreams.Key(r.getFid(), r.getDeviceId()),
        r -> new PipelinedStreams.Key(r.getFid(), r.getDeviceId()), "small read");
  }

  /**
   * Reads the whole blob {@code fid} from {@code device}; completes with its verified bytes,
   * or with the reason this copy could not give them.
   */
  CompletableFuture<byte[]> read(DeviceLocation device, long fid, long length, int crc32c, long deadlineNanos) {
    ReadSmallRequest request = ReadSmallRequest.newBuilder().setFid(fid).setDeviceId(device.getDeviceId()).build();
    return streams.call(device.getAddress(), request, deadlineNanos)
        .thenApply(reply -> verified(device, reply, length, crc32c));
  }

  private static byte[] verified(DeviceLocation device, ReadSmallReply r, long length, int crc32c) {
    String where = CopyWriter.describe(device);
    if (r.getError() != ErrorReason.ERROR_REASON_UNSPECIFIED) {
      throw new MogulException(r.getError(), where + ": " + r.getErrorMessage());
    }
    byte[] data = r.getData().toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(data);
    if (data.length != length || (int) crc.getValue() != crc32c) {
      throw new MogulException(ErrorReason.CHECKSUM_MISMATCH, where + " returned " + data.length
          + " bytes that do not match the recorded length " + length + " and CRC32C");
    }
    return data;
  }

  @Override
  public void close() {
    streams.close();
  }
}
