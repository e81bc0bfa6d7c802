package io.mogul.common.batch;

import io.mogul.common.MogulException;
import io.mogul.proto.CallError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Gathers concurrent single calls into batch calls. A call arriving while fewer than
 * {@code maxInFlight} batches are outstanding is sent at once (a batch of one: no added
 * latency when idle); otherwise it waits and goes with everything else that queued up in
 * the next batch, sent as soon as an outstanding batch returns. Under load a batch's size
 * follows the load by itself, with no timer.
 *
 * @param <Q> request of one item
 * @param <R> answer of one item
 */
public final class Coalescer<Q, R> {
  /**
   * Sends one batch; the future holds one outcome per request, in order: an answer or a
   * {@link MogulException}.
   */
  public interface BatchCall<Q, R> {
    CompletableFuture<List<Object>> send(List<Q> requests, long deadlineNanos);
  }

  private record Pending<Q, R>(Q request, long deadlineNanos, CompletableFuture<R> future) {}

  private final BatchCall<Q, R> call;
  private final int maxBatch;
  private final int maxInFlight;
  private final ArrayDeque<Pending<Q, R>> queue = new ArrayDeque<>();
  private int inFlight;

  public Coalescer(BatchCall<Q, R> call, int maxBatch, int maxInFlight) {
    this.call = call;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
  }

  /**
   * A batch rpc's per-item results as a {@link BatchCall} hands them back: the answer, or
   * a {@link MogulException} for an item that failed.
   */
  public static <T> List<Object> outcomes(List<T> results, Predicate<T> failed, Function<T, CallError> error,
      Function<T, ?> answer) {
    List<Object> out = new ArrayList<>(results.size());
    for (T r : results) {
      out.add(failed.test(r) ? MogulException.fromCallError(error.apply(r)) : answer.apply(r));
    }
    return out;
  }

  /** Queues one call; completes with its own answer or typed error. */
  public CompletableFuture<R> submit(Q request, long deadlineNanos) {
    CompletableFuture<R> future = new CompletableFuture<>();
    synchronized (this) {
      queue.add(new Pending<>(request, deadlineNanos, future));
    }
    flush();
    return future;
  }

  private void flush() {
    List<Pending<Q, R>> batch;
    synchronized (this) {
      if (inFlight >= maxInFlight || queue.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
      while (!queue.isEmpty() && batch.size() < maxBatch) {
        batch.add(queue.poll());
      }
      inFlight++;
    }
    long deadline = batch.get(0).deadlineNanos();
    List<Q> requests = new ArrayList<>(batch.size());
    for (Pending<Q, R> p : batch) {
      requests.add(p.request());
      // The batch lives as long as its most patient item needs.
      deadline = deadline - p.deadlineNanos() < 0 ? p.deadlineNanos() : deadline;
    }
    CompletableFuture<List<Object>> sent;
    try {
      sent = call.send(requests, deadline);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((outcomes, error) -> {
      synchronized (this) {
        inFlight--;
      }
      deliver(batch, outcomes, error);
      flush();
    });
  }

  @SuppressWarnings("unchecked")
  private void deliver(List<Pending<Q, R>> batch, List<Object> outcomes, Throwable error) {
    if (error == null && outcomes.size() != batch.size()) {
      error = new MogulException(io.mogul.proto.ErrorReason.INTERNAL,
          "batch of " + batch.size() + " answered with " + outcomes.size() + " results");
    }
    for (int i = 0; i < batch.size(); i++) {
      CompletableFuture<R> future = batch.get(i).future();
      if (error != null) {
        future.completeExceptionally(MogulException.from(error));
      } else if (outcomes.get(i) instanceof MogulException m) {
        future.completeExceptionally(m);
      } else {
        future.complete((R) outcomes.get(i));
      }
    }
  }
}
