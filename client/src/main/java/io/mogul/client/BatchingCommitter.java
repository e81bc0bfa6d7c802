package io.mogul.client;

import io.mogul.common.batch.Coalescer;
import io.mogul.proto.CreateCloseBatchRequest;
import io.mogul.proto.CreateCloseRequest;
import io.mogul.proto.CreateCloseResult;
import io.mogul.proto.CreateOpenBatchRequest;
import io.mogul.proto.CreateOpenRequest;
import io.mogul.proto.CreateOpenResponse;
import io.mogul.proto.CreateOpenResult;
import io.mogul.proto.FileInfo;
import io.mogul.proto.TrackerGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Coalesces concurrent CreateOpen and CreateClose calls into CreateOpenBatch and
 * CreateCloseBatch rpcs. A tracker turns one batch into one replicated log entry, so
 * under load a single round trip and a single Raft commit serve many puts. Falls back to
 * single calls for good if a tracker does not implement the batch rpcs.
 */
final class BatchingCommitter implements UploadCommitter {
  private static final int MAX_IN_FLIGHT = 1;

  private final DirectCommitter direct;
  private final BatchedCall<CreateOpenRequest, CreateOpenResponse> opens;
  private final BatchedCall<CreateCloseRequest, FileInfo> closes;

  BatchingCommitter(TrackerCaller tracker, long callTimeoutNanos, int maxBatch) {
    this.direct = new DirectCommitter(tracker, callTimeoutNanos);
    this.opens = new BatchedCall<>(new Coalescer<>((items, deadline) -> tracker.call(ch -> TrackerGrpc.newFutureStub(ch)
            .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS)
            .createOpenBatch(CreateOpenBatchRequest.newBuilder().addAllItems(items).build()), deadline)
        .thenApply(response -> Coalescer.outcomes(response.getResultsList(), CreateOpenResult::hasError,
            CreateOpenResult::getError, CreateOpenResult::getOpen)), maxBatch, MAX_IN_FLIGHT), direct::open, "opens");
    this.closes = new BatchedCall<>(new Coalescer<>((items, deadline) -> tracker.call(ch -> TrackerGrpc.newFutureStub(ch)
            .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS)
            .createCloseBatch(CreateCloseBatchRequest.newBuilder().addAllItems(items).build()), deadline)
        .thenApply(response -> Coalescer.outcomes(response.getResultsList(), CreateCloseResult::hasError,
            CreateCloseResult::getError, CreateCloseResult::getFile)), maxBatch, MAX_IN_FLIGHT), direct::close, "closes");
  }

  /** An open that failed allocated nothing, so any retry of it is safe. */
  @Override
  public CompletableFuture<CreateOpenResponse> open(CreateOpenRequest request, long deadlineNanos) {
    return opens.submit(request, deadlineNanos);
  }

  /** A close is idempotent by fid, so any retry of it is safe. */
  @Override
  public CompletableFuture<FileInfo> close(CreateCloseRequest request, long deadlineNanos) {
    return closes.submit(request, deadlineNanos);
  }

  @Override
  public void close() {
    direct.close();
  }
}
