package io.mogul.client;

import com.google.common.util.concurrent.ListenableFuture;
import io.mogul.common.MogulException;
import io.mogul.common.grpc.ListenableFutures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Bridges gRPC's listenable futures to {@link CompletableFuture}s failing with typed errors. */
final class GrpcFutures {
  private GrpcFutures() {}

  static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
    return ListenableFutures.toCompletable(future);
  }

  /** The typed error behind a future's failure, unwrapping completion wrappers. */
  static MogulException unwrap(Throwable t) {
    return MogulException.from(t);
  }

  /** Waits for a future, rethrowing its failure as a {@link MogulException}. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      MogulException m = unwrap(e);
      // Re-wrap so the caller's stack shows where it waited, keeping the reason.
      throw new MogulException(m.reason(), m.getMessage(), m);
    }
  }
}
