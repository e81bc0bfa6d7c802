package io.mogul.meta.ratis;

import io.mogul.common.MogulException;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRange;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Hands out fids on the leader from ranges reserved through the log, so an upload costs no
 * extra round trip for its fid. The next range is requested when half of the current one
 * is used. Ranges are cut from the replicated high-water mark in log order, so they are
 * this tracker's alone even across leader changes; fids of a range left unused are skipped.
 */
public final class FidAllocator {
  private final LongFunction<CompletableFuture<CommandResult>> reserve;
  private final long batch;
  private final ArrayDeque<FidRange> ranges = new ArrayDeque<>();
  private long next;
  private long end;   // exclusive
  private boolean reserving;
  /** Completes after the range being reserved was added (or the reservation failed). */
  private CompletableFuture<Void> reserved = CompletableFuture.completedFuture(null);

  /** @param reserve proposes a ReserveFids command for the given count */
  public FidAllocator(LongFunction<CompletableFuture<CommandResult>> reserve, long batch) {
    this.reserve = reserve;
    this.batch = Math.max(1, batch);
  }

  /** A fresh fid; waits (up to 30 s) for a range reservation when the reserved fids ran out. */
  public long allocate() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      CompletableFuture<Void> waitFor;
      synchronized (this) {
        if (next >= end) {
          adoptNextRange();
        }
        if (next < end) {
          long fid = next++;
          if (end - next < batch / 2 && ranges.isEmpty()) {
            requestRange();
          }
          return fid;
        }
        requestRange();
        waitFor = reserved;
      }
      {
        try {
          waitFor.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new MogulException(ErrorReason.UNAVAILABLE, "interrupted while reserving fids");
        } catch (Exception e) {
          throw new MogulException(ErrorReason.UNAVAILABLE, "cannot reserve fids: " + e.getMessage(), e);
        }
      }
    }
    throw new MogulException(ErrorReason.UNAVAILABLE, "no fid range could be reserved within 30 s");
  }

  private void adoptNextRange() {
    FidRange r = ranges.poll();
    if (r != null) {
      next = r.getFirst();
      end = r.getFirst() + r.getCount();
    }
  }

  private void requestRange() {
    if (reserving) {
      return;
    }
    reserving = true;
    CompletableFuture<CommandResult> f;
    try {
      f = reserve.apply(batch);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    // handle() runs after the range is known; waiters wait for it, not for f, so they
    // see the new range when they wake up.
    reserved = f.handle((result, error) -> {
      synchronized (FidAllocator.this) {
        reserving = false;
        if (error == null && result.hasFidRange()) {
          ranges.add(result.getFidRange());
        }
      }
      if (error != null) {
        throw new java.util.concurrent.CompletionException(error);
      }
      return null;
    });
  }
}
