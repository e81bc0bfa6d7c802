package io.mogul.client;

import io.grpc.Status;
import io.mogul.common.MogulException;
import io.mogul.common.batch.Coalescer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kind of tracker call, coalesced into batch rpcs. An item that failed retriably in
 * an answered batch (a leader change under way) goes again as a single call, which retries
 * with the full policy; if a tracker does not implement the batch rpc, every call goes
 * single from then on.
 *
 * @param <Q> request of one item
 * @param <R> answer of one item
 */
final class BatchedCall<Q, R> {
  private static final Logger LOG = LoggerFactory.getLogger(BatchedCall.class);

  /** Sends one item as a single call, retrying on its own. */
  interface Single<Q, R> {
    CompletableFuture<R> call(Q request, long deadlineNanos);
  }

  private final Coalescer<Q, R> batches;
  private final Single<Q, R> single;
  private final String what;
  private volatile boolean unsupported;

  BatchedCall(Coalescer<Q, R> batches, Single<Q, R> single, String what) {
    this.batches = batches;
    this.single = single;
    this.what = what;
  }

  CompletableFuture<R> submit(Q request, long deadlineNanos) {
    if (unsupported) {
      return single.call(request, deadlineNanos);
    }
    return batches.submit(request, deadlineNanos).exceptionallyCompose(e -> fallBack(e) || retriableItem(e)
        ? single.call(request, deadlineNanos) : CompletableFuture.failedFuture(GrpcFutures.unwrap(e)));
  }

  private static boolean retriableItem(Throwable error) {
    Throwable e = GrpcFutures.unwrap(error);
    return e instanceof MogulException m && m.retriable();
  }

  private boolean fallBack(Throwable error) {
    if (Status.fromThrowable(error).getCode() == Status.Code.UNIMPLEMENTED) {
      if (!unsupported) {
        LOG.warn("tracker does not implement batched {}; sending them one by one", what);
      }
      unsupported = true;
      return true;
    }
    return false;
  }
}
