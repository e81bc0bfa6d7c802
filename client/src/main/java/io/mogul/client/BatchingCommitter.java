package io.mogul.client;

import io.grpc.Status;
import io.mogul.common.MogulException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces concurrent CreateOpen and CreateClose calls into CreateOpenBatch and
 * CreateCloseBatch rpcs. A tracker turns one batch into one replicated log entry, so
 * under load a single round trip and a single Raft commit serve many puts. Falls back to
 * single calls for good if a tracker does not implement the batch rpcs.
 */
final class BatchingCommitter implements UploadCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(BatchingCommitter.class);
  private static final int MAX_IN_FLIGHT = 1;

  private final DirectCommitter direct;
  private final Coalescer<CreateOpenRequest, CreateOpenResponse> opens;
  private final Coalescer<CreateCloseRequest, FileInfo> closes;
  private volatile boolean unsupported;

  BatchingCommitter(TrackerCaller tracker, long callTimeoutNanos, int maxBatch) {
    this.direct = new DirectCommitter(tracker, callTimeoutNanos);
    this.opens = new Coalescer<>((items, deadline) -> tracker.call(ch -> TrackerGrpc.newFutureStub(ch)
            .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS)
            .createOpenBatch(CreateOpenBatchRequest.newBuilder().addAllItems(items).build()), deadline)
        .thenApply(response -> {
          List<Object> out = new ArrayList<>(response.getResultsCount());
          for (CreateOpenResult r : response.getResultsList()) {
            out.add(r.hasError() ? MogulException.fromCallError(r.getError()) : r.getOpen());
          }
          return out;
        }), maxBatch, MAX_IN_FLIGHT);
    this.closes = new Coalescer<>((items, deadline) -> tracker.call(ch -> TrackerGrpc.newFutureStub(ch)
            .withDeadlineAfter(callTimeoutNanos, TimeUnit.NANOSECONDS)
            .createCloseBatch(CreateCloseBatchRequest.newBuilder().addAllItems(items).build()), deadline)
        .thenApply(response -> {
          List<Object> out = new ArrayList<>(response.getResultsCount());
          for (CreateCloseResult r : response.getResultsList()) {
            out.add(r.hasError() ? MogulException.fromCallError(r.getError()) : r.getFile());
          }
          return out;
        }), maxBatch, MAX_IN_FLIGHT);
  }

  @Override
  public CompletableFuture<CreateOpenResponse> open(CreateOpenRequest request, long deadlineNanos) {
    if (unsupported) {
      return direct.open(request, deadlineNanos);
    }
    return opens.submit(request, deadlineNanos).exceptionallyCompose(e -> fallBack(e) || retriableItem(e)
        ? direct.open(request, deadlineNanos) : CompletableFuture.failedFuture(GrpcFutures.unwrap(e)));
  }

  @Override
  public CompletableFuture<FileInfo> close(CreateCloseRequest request, long deadlineNanos) {
    if (unsupported) {
      return direct.close(request, deadlineNanos);
    }
    return closes.submit(request, deadlineNanos).exceptionallyCompose(e -> fallBack(e) || retriableItem(e)
        ? direct.close(request, deadlineNanos) : CompletableFuture.failedFuture(GrpcFutures.unwrap(e)));
  }

  /**
   * A batch answered, but this item failed retriably (a leader change under way). It goes
   * again as a single call, which retries with the full policy: an open that failed
   * allocated nothing, and a close is idempotent by fid.
   */
  private static boolean retriableItem(Throwable error) {
    Throwable e = GrpcFutures.unwrap(error);
    return e instanceof MogulException m && m.retriable();
  }

  private boolean fallBack(Throwable error) {
    if (Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED) {
      if (!unsupported) {
        LOG.warn("tracker does not implement batch calls; sending uploads one by one");
      }
      unsupported = true;
      return true;
    }
    return false;
  }

  @Override
  public void close() {
    direct.close();
  }
}
