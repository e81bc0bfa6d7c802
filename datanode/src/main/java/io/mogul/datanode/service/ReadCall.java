package io.mogul.datanode.service;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.ServerCallStreamObserver;
import io.mogul.datanode.storage.NeedleReader;
import io.mogul.datanode.storage.Store;
import io.mogul.proto.BlobMeta;
import io.mogul.proto.ReadRequest;
import io.mogul.proto.ReadResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server-streaming read. Everything that touches the disk (opening the blob with its
 * checksum check, reading each chunk, closing) runs on the read executor: the read threads
 * ({@code server.readThreads}), so a read waiting for the disk does not stall a transport
 * thread, or with none the transport thread itself. Sends the blob's metadata, then verified
 * chunks only while the transport is ready ({@code isReady()}), resuming from the on-ready
 * handler, so a slow reader holds at most one chunk per call in the datanode's memory. A
 * small blob (one chunk) costs one executor task: the on-ready handler only schedules work
 * when a read actually waits for the transport.
 */
final class ReadCall {
  private static final Logger LOG = LoggerFactory.getLogger(ReadCall.class);

  private final Store store;
  private final ReadRequest req;
  private final ServerCallStreamObserver<ReadResponse> call;
  private final Executor reads;
  private final int chunkBytes;
  private volatile boolean cancelled;
  /** Set when sending stopped because the transport was not ready; the on-ready handler resumes. */
  private volatile boolean waitingForReady;
  // Guarded by this:
  private NeedleReader.OpenNeedle needle;
  private long pos;
  private long end;
  private boolean done;

  private ReadCall(Store store, ReadRequest req, ServerCallStreamObserver<ReadResponse> call, Executor reads,
      int chunkBytes) {
    this.store = store;
    this.req = req;
    this.call = call;
    this.reads = reads;
    this.chunkBytes = chunkBytes;
  }

  /** Sets up the call's handlers (in the service method, as gRPC requires) and queues the read. */
  static void start(Store store, ReadRequest req, ServerCallStreamObserver<ReadResponse> call, Executor reads,
      int chunkBytes) {
    ReadCall c = new ReadCall(store, req, call, reads, chunkBytes);
    call.setOnCancelHandler(c::cancel);
    call.setOnReadyHandler(c::ready);
    reads.execute(c::open);
  }

  private synchronized void open() {
    if (cancelled || done) {
      done = true;
      return;
    }
    try {
      BlobRange.checkRequest(req.getOffset(), req.getLength());
      needle = store.open(req.getDeviceId(), req.getFid());
      long length = needle.length();
      BlobRange range = BlobRange.within(req.getOffset(), req.getLength(), length);
      pos = range.offset();
      end = range.end();
      call.onNext(ReadResponse.newBuilder().setMeta(BlobMeta.newBuilder().setFid(needle.header().fid())
          .setLength(length).setCrc32C(needle.header().crc32c()).setRangeOffset(pos)
          .setRangeLength(end - pos)).build());
    } catch (IOException | RuntimeException e) {
      fail(e);
      return;
    }
    send();
  }

  /** On-ready handler (transport thread): resumes a read that waits for the transport. */
  private void ready() {
    if (waitingForReady) {
      waitingForReady = false;
      reads.execute(this::resume);
    }
  }

  /** On-cancel handler (transport thread): the blob is closed on the read executor. */
  private void cancel() {
    cancelled = true;
    reads.execute(this::resume);
  }

  private synchronized void resume() {
    if (done) {
      return;
    }
    if (cancelled) {
      finish();
    } else if (needle != null) {
      send();
    }
  }

  /** Sends verified chunks while the transport is ready. Caller holds the lock, the blob is open. */
  private void send() {
    try {
      while (pos < end) {
        if (!call.isReady()) {
          waitingForReady = true;
          if (!call.isReady()) {
            return; // the on-ready handler resumes
          }
          waitingForReady = false;
        }
        ByteBuffer b = needle.read(pos, (int) Math.min(chunkBytes, end - pos));
        pos += b.remaining();
        call.onNext(ReadResponse.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(b)).build());
      }
      finish();
      call.onCompleted();
    } catch (IOException | RuntimeException e) {
      fail(e);
    }
  }

  private void fail(Exception e) {
    if (!done) {
      finish();
      call.onError(Statuses.of(e));
    }
  }

  private void finish() {
    if (!done) {
      done = true;
      if (needle != null) {
        try {
          needle.close();
        } catch (IOException e) {
          LOG.warn("closing a read blob failed", e);
        }
      }
    }
  }
}
