package io.mogul.datanode.service;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.mogul.common.ByteStrings;
import io.mogul.common.MogulException;
import io.mogul.datanode.storage.BlobReceiver;
import io.mogul.datanode.storage.NeedleBody;
import io.mogul.datanode.storage.Store;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.WriteHeader;
import io.mogul.proto.WriteRequest;
import io.mogul.proto.WriteResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client-streaming upload: header, chunks, trailer. Requests one message at a time
 * (manual flow control), so a fast sender is held back by the disk rather than filling the
 * heap; bytes go to a {@link BlobReceiver} that spills to a temporary file. A stream that
 * is cancelled or ends without a matching trailer is discarded and leaves nothing visible.
 */
final class WriteCall implements StreamObserver<WriteRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(WriteCall.class);

  private final Store store;
  private final ServerCallStreamObserver<WriteResponse> call;
  private final SerialExecutor serial;
  private WriteHeader header;
  /** The header's expected length; -1 when it left the length to the trailer (absent or -1). */
  private long expectedLength;
  private BlobReceiver receiver;
  private boolean trailerSeen;
  private boolean finished;

  /** @param io where file work runs: callbacks arrive on transport threads, which must not block */
  WriteCall(Store store, ServerCallStreamObserver<WriteResponse> call, java.util.concurrent.Executor io) {
    this.store = store;
    this.call = call;
    this.serial = new SerialExecutor(io);
  }

  @Override
  public void onNext(WriteRequest req) {
    serial.execute(() -> handleNext(req));
  }

  @Override
  public void onError(Throwable t) {
    serial.execute(() -> handleError(t));
  }

  @Override
  public void onCompleted() {
    serial.execute(this::handleCompleted);
  }

  private void handleNext(WriteRequest req) {
    if (finished) {
      return;
    }
    try {
      switch (req.getPartCase()) {
        case HEADER -> {
          if (header != null) {
            throw bad("a second header");
          }
          header = req.getHeader();
          expectedLength = header.hasExpectedLength() ? header.getExpectedLength() : -1;
          receiver = store.receive(header.getDeviceId(), header.getFid());
          if (expectedLength > 0) {
            store.device(header.getDeviceId()).checkSpace(expectedLength);
          }
        }
        case CHUNK -> {
          if (header == null || trailerSeen) {
            throw bad(header == null ? "a chunk before the header" : "a chunk after the trailer");
          }
          receiver.add(ByteStrings.view(req.getChunk()));
          if (expectedLength >= 0 && receiver.length() > expectedLength) {
            throw new MogulException(ErrorReason.LENGTH_MISMATCH, "more bytes than the expected " + expectedLength);
          }
        }
        case TRAILER -> {
          if (header == null || trailerSeen) {
            throw bad(header == null ? "a trailer before the header" : "a second trailer");
          }
          trailerSeen = true;
          if (expectedLength >= 0 && expectedLength != req.getTrailer().getLength()) {
            throw new MogulException(ErrorReason.LENGTH_MISMATCH, "trailer length " + req.getTrailer().getLength()
                + " differs from the header's expected length " + expectedLength);
          }
          NeedleBody body = receiver.finish(req.getTrailer().getLength(), req.getTrailer().getCrc32C());
          store.commit(header.getDeviceId(), header.getFid(), body).whenComplete((loc, err) -> {
            if (err != null) {
              fail(err);
            } else {
              respond(WriteResponse.newBuilder().setFid(header.getFid()).setDeviceId(header.getDeviceId())
                  .setLength(body.length()).setCrc32C(body.crc32c()).build());
            }
          });
        }
        default -> throw bad("an empty message");
      }
      call.request(1);
    } catch (Exception e) {
      fail(e);
    }
  }

  private static MogulException bad(String what) {
    return new MogulException(ErrorReason.INVALID_ARGUMENT, "write stream sent " + what);
  }

  private synchronized void respond(WriteResponse response) {
    if (!finished) {
      finished = true;
      call.onNext(response);
      call.onCompleted();
    }
  }

  private synchronized void fail(Throwable t) {
    if (receiver != null) {
      receiver.abort();
    }
    if (!finished) {
      finished = true;
      call.onError(Statuses.of(t));
    }
  }

  private synchronized void handleError(Throwable t) {
    // The client cancelled or the connection broke: nothing of this stream may stay.
    LOG.debug("write stream of fid {} aborted: {}", header == null ? "?" : Long.toUnsignedString(header.getFid()),
        t.toString());
    if (receiver != null && !trailerSeen) {
      receiver.abort();
    }
    finished = true;
  }

  private void handleCompleted() {
    if (!trailerSeen) {
      fail(bad("no trailer: the upload is incomplete"));
    }
  }
}
