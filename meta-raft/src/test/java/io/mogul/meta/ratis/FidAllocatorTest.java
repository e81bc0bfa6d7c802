package io.mogul.meta.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mogul.proto.meta.CommandResult;
import io.mogul.proto.meta.FidRange;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FidAllocatorTest {
  @Test
  void fidsAreUniqueAndReservedInRangesAheadOfUse() throws Exception {
    AtomicLong highWater = new AtomicLong();
    List<Long> reservations = new CopyOnWriteArrayList<>();
    FidAllocator fids = new FidAllocator(count -> {
      reservations.add(count);
      long first = highWater.getAndAdd(count) + 1;
      return CompletableFuture.supplyAsync(() -> CommandResult.newBuilder()
          .setFidRange(FidRange.newBuilder().setFirst(first).setCount(count)).build());
    }, 100);
    Set<Long> seen = new HashSet<>();
    Thread[] threads = new Thread[4];
    Set<Long> shared = java.util.Collections.synchronizedSet(seen);
    java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
    for (int t = 0; t < threads.length; t++) {
      threads[t] = new Thread(() -> {
        try {
          for (int i = 0; i < 1000; i++) {
            long fid = fids.allocate();
            if (!shared.add(fid)) {
              throw new AssertionError("duplicate fid " + fid);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("an allocating thread failed", failure.get());
    }
    assertEquals(4000, seen.size());
    assertTrue(reservations.size() <= 45, "ranges of 100 requested about once per 100 fids: " + reservations.size());
    assertTrue(seen.stream().allMatch(f -> f >= 1 && f <= highWater.get()));
  }
}
