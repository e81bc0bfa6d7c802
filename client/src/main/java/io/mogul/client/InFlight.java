package io.mogul.client;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The operations a client has under way, so that closing the client ends every one of
 * them: an operation waiting for a retry, a queued batch or a thread would otherwise never
 * complete once the client's executors and channels are shut down.
 *
 * <p>Contract: {@link #track} starts an operation unless the client is closed and returns
 * a future that completes as the operation does, or fails with {@code UNAVAILABLE} ("the
 * client is closed") when {@link #close} comes first. After {@code close}, every new
 * operation fails at once without being started.
 */
final class InFlight {
  private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  <T> CompletableFuture<T> track(Supplier<CompletableFuture<T>> start) {
    if (closed) {
      return CompletableFuture.failedFuture(closedError());
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    pending.add(result);
    result.whenComplete((value, error) -> pending.remove(result));
    // A close racing this registration may have missed the new entry.
    if (closed) {
      result.completeExceptionally(closedError());
      return result;
    }
    CompletableFuture<T> operation;
    try {
      operation = start.get();
    } catch (RuntimeException e) {
      result.completeExceptionally(MogulException.from(e));
      return result;
    }
    operation.whenComplete((value, error) -> {
      if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(error);
      }
    });
    return result;
  }

  /** Fails every operation still under way, and every later one. */
  void close() {
    closed = true;
    MogulException error = closedError();
    for (CompletableFuture<?> f : pending) {
      f.completeExceptionally(error);
    }
  }

  private static MogulException closedError() {
    return new MogulException(ErrorReason.UNAVAILABLE, "the client is closed");
  }
}
