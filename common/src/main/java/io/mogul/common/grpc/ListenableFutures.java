package io.mogul.common.grpc;

import com.google.common.util.concurrent.ListenableFuture;
import io.mogul.common.MogulException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** Bridges gRPC's listenable futures to {@link CompletableFuture}s failing with typed errors. */
public final class ListenableFutures {
  private ListenableFutures() {}

  /** Completes when {@code future} does; a failure becomes the {@link MogulException} behind it. */
  public static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> future) {
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
}
