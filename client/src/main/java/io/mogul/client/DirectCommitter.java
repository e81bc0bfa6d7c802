package io.mogul.client;

import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.FileInfo;
import io.mogul.proto.TrackerGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends every CreateOpen and CreateClose as its own unary call. */
final class DirectCommitter implements UploadCommitter {
  private final TrackerCaller tracker;
  private final long callTimeoutNanos;

  DirectCommitter(TrackerCaller tracker, long callTimeoutNanos) {
    this.tracker = tracker;
    this.callTimeoutNanos = callTimeoutNanos;
  }

  @Override
  public CompletableFuture<CreateOpenResponse> open(CreateOpenRequest request, long deadlineNanos) {
    return tracker.call(ch -> TrackerGrpc.newFutureStub(ch)
        .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS).createOpen(request), deadlineNanos);
  }

  @Override
  public CompletableFuture<FileInfo> close(CreateCloseRequest request, long deadlineNanos) {
    return tracker.call(ch -> TrackerGrpc.newFutureStub(ch)
        .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS).createClose(request), deadlineNanos);
  }

  @Override
  public void close() {
    // Nothing pending: every call is sent immediately.
  }
}
