package io.mogul.meta.jobs;

import java.util.function.LongSupplier;

/**
 * Paces work to a rate read afresh on every call (a cluster setting may change at any
 * time): callers take units before doing the work and wait until the rate allows it.
 * A rate of 0 means unlimited (the settings' defaults are finite). Time left unused builds
 * up a burst of at most one second's worth of units, so over any stretch the units taken
 * are at most the rate times its length plus one second's worth.
 */
final class Throttle {
  static final long BURST_NANOS = 1_000_000_000L;

  /** How the throttle waits; the real one sleeps, tests pass a fake clock that advances. */
  interface Sleeper {
    /** Returns after at least {@code nanos} have passed on the throttle's clock. */
    void sleep(long nanos) throws InterruptedException;
  }

  private final LongSupplier ratePerSecond;
  private final LongSupplier nanoClock;
  private final Sleeper sleeper;
  private long availableAtNanos;

  Throttle(LongSupplier ratePerSecond) {
    this(ratePerSecond, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  Throttle(LongSupplier ratePerSecond, LongSupplier nanoClock, Sleeper sleeper) {
    this.ratePerSecond = ratePerSecond;
    this.nanoClock = nanoClock;
    this.sleeper = sleeper;
    this.availableAtNanos = nanoClock.getAsLong();
  }

  /** Waits until {@code units} may be used. */
  void acquire(long units) throws InterruptedException {
    long rate = ratePerSecond.getAsLong();
    if (rate <= 0 || units <= 0) {
      return;
    }
    long waitNanos;
    synchronized (this) {
      long now = nanoClock.getAsLong();
      long start = Math.max(availableAtNanos, now - BURST_NANOS);
      availableAtNanos = start + (long) (units * 1e9 / rate);
      waitNanos = availableAtNanos - now;
    }
    if (waitNanos > 0) {
      sleeper.sleep(waitNanos);
    }
  }
}
