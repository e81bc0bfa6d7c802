package io.mogul.datanode.service;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.mogul.datanode.storage.NeedleReader;
import io.mogul.proto.BlobMeta;
import io.mogul.proto.ReadResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server-streaming read. Sends the blob's metadata, then verified chunks only while
 * the transport is ready ({@code isReady()}), resuming from the on-ready handler, so a slow
 * reader holds at most one chunk per call in the datanode's memory.
 */
final class ReadCall {
  private static final Logger LOG = LoggerFactory.getLogger(ReadCall.class);

  private final ServerCallStreamObserver<ReadResponse> call;
  private final NeedleReader.OpenNeedle needle;
  private final int chunkBytes;
  private final long end;
  private long pos;
  private boolean done;

  ReadCall(ServerCallStreamObserver<ReadResponse> call, NeedleReader.OpenNeedle needle, long from, long end,
      int chunkBytes) {
    this.call = call;
    this.needle = needle;
    this.pos = from;
    this.end = end;
    this.chunkBytes = chunkBytes;
  }

  void start() {
    call.setOnCancelHandler(this::finish);
    call.setOnReadyHandler(this::drain);
    call.onNext(ReadResponse.newBuilder().setMeta(BlobMeta.newBuilder().setFid(needle.header().fid())
        .setLength(needle.length()).setCrc32C(needle.header().crc32c()).setRangeOffset(pos)
        .setRangeLength(end - pos)).build());
    drain();
  }

  private synchronized void drain() {
    try {
      while (!done && pos < end && call.isReady()) {
        ByteBuffer b = needle.read(pos, (int) Math.min(chunkBytes, end - pos));
        pos += b.remaining();
        call.onNext(ReadResponse.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(b)).build());
      }
      if (!done && pos >= end) {
        finish();
        call.onCompleted();
      }
    } catch (IOException | RuntimeException e) {
      if (!done) {
        finish();
        call.onError(Statuses.of(e));
      }
    }
  }

  private synchronized void finish() {
    if (!done) {
      done = true;
      try {
        needle.close();
      } catch (IOException e) {
        LOG.warn("closing a read blob failed", e);
      }
    }
  }
}
