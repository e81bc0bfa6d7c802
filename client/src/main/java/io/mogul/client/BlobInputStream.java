package io.mogul.client;

import io.mogul.common.grpc.ChannelPool;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.mogul.common.Fids;
import io.mogul.common.MogulException;
import io.mogul.proto.BlobMeta;
import io.mogul.proto.DataNodeGrpc;
import io.mogul.proto.DeviceLocation;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Reads a byte range of one blob, trying its locations in order. A location that fails,
 * times out, or describes the blob differently than the tracker does is abandoned and the
 * read continues from the same offset at the next location, so a copy lost mid-read costs
 * no bytes already delivered. A whole-blob read is checked end to end: the CRC32C of every
 * byte handed out must equal the tracker's, or the last read fails with
 * {@code CHECKSUM_MISMATCH} instead of reaching end of stream.
 *
 * <p>Memory is bounded: gRPC delivers the next chunk only once the previous one is consumed.
 */
final class BlobInputStream extends InputStream {
  private final ChannelPool channels;
  private final List<DeviceLocation> locations;
  private final long fid;
  private final long blobLength;
  private final int blobCrc;
  private final long start;
  private final long end;
  private final long deadlineNanos;
  private final CRC32C crc;
  private final List<String> failures = new ArrayList<>();

  private int locationIndex = -1;
  private Context.CancellableContext context;
  private Iterator<ReadResponse> responses;
  private ByteString chunk = ByteString.EMPTY;
  private int chunkPos;
  private long position;
  private boolean closed;

  /**
   * @param start first byte of the range
   * @param length bytes to read; the range must lie within the blob
   */
  BlobInputStream(ChannelPool channels, List<DeviceLocation> locations, long fid, long blobLength,
      int blobCrc, long start, long length, long deadlineNanos) {
    this.channels = channels;
    this.locations = List.copyOf(locations);
    this.fid = fid;
    this.blobLength = blobLength;
    this.blobCrc = blobCrc;
    this.start = start;
    this.end = start + length;
    this.deadlineNanos = deadlineNanos;
    this.crc = start == 0 && length == blobLength ? new CRC32C() : null;
    this.position = start;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (length == 0) {
      return 0;
    }
    if (position >= end) {
      finish();
      return -1;
    }
    while (chunkPos >= chunk.size()) {
      nextChunk();
    }
    int n = (int) Math.min(Math.min(length, chunk.size() - chunkPos), end - position);
    chunk.copyTo(buffer, chunkPos, offset, n);
    chunkPos += n;
    position += n;
    if (crc != null) {
      crc.update(buffer, offset, n);
    }
    if (position >= end) {
      finish();
    }
    return n;
  }

  private void finish() throws IOException {
    if (crc != null && (int) crc.getValue() != blobCrc) {
      throw new IOException(new MogulException(ErrorReason.CHECKSUM_MISMATCH, "fid " + Fids.format(fid)
          + ": read crc " + Integer.toHexString((int) crc.getValue()) + ", expected "
          + Integer.toHexString(blobCrc)));
    }
    release();
  }

  /** Loads the next chunk, moving to the next location when the current one fails. */
  private void nextChunk() throws IOException {
    while (true) {
      if (responses == null) {
        openNextLocation();
      }
      try {
        if (!responses.hasNext()) {
          fail("stream ended at byte " + position + " of " + end, null);
          continue;
        }
        ReadResponse response = responses.next();
        if (response.hasMeta()) {
          BlobMeta meta = response.getMeta();
          if (meta.getLength() != blobLength || meta.getCrc32C() != blobCrc) {
            fail("holds length " + meta.getLength() + " crc " + Integer.toHexString(meta.getCrc32C())
                + ", the tracker recorded " + blobLength + " crc " + Integer.toHexString(blobCrc), null);
          }
          continue;
        }
        chunk = response.getChunk();
        chunkPos = 0;
        return;
      } catch (RuntimeException e) {
        MogulException m = MogulException.from(e);
        fail(m.reason() + ": " + m.getMessage(), m);
      }
    }
  }

  private void openNextLocation() throws IOException {
    locationIndex++;
    if (locationIndex >= locations.size()) {
      MogulException e = new MogulException(locations.isEmpty() ? ErrorReason.BLOB_NOT_FOUND
          : ErrorReason.UNAVAILABLE, "fid " + Fids.format(fid) + ": no readable copy"
          + (failures.isEmpty() ? " (no locations)" : ": " + String.join("; ", failures)));
      throw new IOException(e.getMessage(), e);
    }
    DeviceLocation location = locations.get(locationIndex);
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining <= 0) {
      MogulException e = new MogulException(ErrorReason.UNAVAILABLE, "fid " + Fids.format(fid)
          + ": read deadline exceeded" + (failures.isEmpty() ? "" : ": " + String.join("; ", failures)));
      throw new IOException(e.getMessage(), e);
    }
    ReadRequest request = ReadRequest.newBuilder().setFid(fid).setDeviceId(location.getDeviceId())
        .setOffset(position).setLength(end - position).build();
    context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      responses = DataNodeGrpc.newBlockingStub(channels.get(location.getAddress()))
          .withDeadlineAfter(remaining, TimeUnit.NANOSECONDS).read(request);
    } finally {
      context.detach(previous);
    }
    chunk = ByteString.EMPTY;
    chunkPos = 0;
  }

  private void fail(String why, Throwable cause) {
    DeviceLocation location = locations.get(locationIndex);
    failures.add(CopyWriter.describe(location) + ": " + why);
    release();
    if (cause != null && !(cause instanceof MogulException)) {
      failures.add(cause.toString());
    }
  }

  /** Cancels the current location's stream, if any. */
  private void release() {
    if (context != null) {
      context.cancel(null);
      context = null;
    }
    responses = null;
    chunk = ByteString.EMPTY;
    chunkPos = 0;
  }

  @Override
  public void close() {
    closed = true;
    release();
  }
}
