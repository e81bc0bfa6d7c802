package io.mogul.meta.jobs;

import java.util.function.LongSupplier;

/**
 * Paces work to a rate read afresh on every call (a cluster setting may change at any
 * time): callers take units before doing the work and wait until the rate allows it.
 * A rate of 0 means unlimited. At most one second of burst is allowed.
 */
final class Throttle {
  private final LongSupplier ratePerSecond;
  private long availableAtNanos = System.nanoTime();

  Throttle(LongSupplier ratePerSecond) {
    this.ratePerSecond = ratePerSecond;
  }

  /** Waits until {@code units} may be used. */
  void acquire(long units) throws InterruptedException {
    long rate = ratePerSecond.getAsLong();
    if (rate <= 0 || units <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = System.nanoTime();
      long start = Math.max(availableAtNanos, now - 1_000_000_000L);
      availableAtNanos = start + (long) (units * 1e9 / rate);
      waitNanos = availableAtNanos - now;
    }
    if (waitNanos > 0) {
      Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
    }
  }
}
