package io.mogul.client;

import com.google.common.util.concurrent.ListenableFuture;
import io.mogul.common.MogulException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Bridges gRPC's listenable futures to {@link CompletableFuture}s failing with typed errors. */
final class GrpcFutures {
  private GrpcFutures() {}

  static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    future.addListener(() -> {
      try {
        result.complete(future.get());
      } catch (ExecutionException e) {
        result.completeExceptionally(MogulException.from(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result.completeExceptionally(MogulException.from(e));
      } catch (RuntimeException e) {
        result.completeExceptionally(MogulException.from(e));
      }
    }, Runnable::run);
    return result;
  }

  /** The typed error behind a future's failure, unwrapping completion wrappers. */
  static MogulException unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return MogulException.from(cause);
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
