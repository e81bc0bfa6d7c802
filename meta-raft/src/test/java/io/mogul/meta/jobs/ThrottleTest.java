package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pacing of copies: long-run rate, burst, setting changes, unlimited. On a fake clock. */
@Timeout(10)
class ThrottleTest {
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong(5 * SECOND);
  private final AtomicLong rate = new AtomicLong(1_000);
  private long slept;
  private final Throttle throttle = new Throttle(rate::get, now::get, nanos -> {
    slept += nanos;
    now.addAndGet(nanos);
  });

  @Test
  void longRunRateIsHeldToTheSetting() throws InterruptedException {
    long start = now.get();
    for (int i = 0; i < 1_000; i++) {
      throttle.acquire(100); // 100 000 units at 1 000 per second: 100 s, less the first second's burst
    }
    double seconds = (now.get() - start) / 1e9;
    assertTrue(seconds >= 99 && seconds <= 100, "took " + seconds + " s");
  }

  @Test
  void idleTimeBuildsUpAtMostOneSecondOfBurst() throws InterruptedException {
    now.addAndGet(60 * SECOND); // a minute idle earns no more than one second's worth
    for (int i = 0; i < 10; i++) {
      throttle.acquire(100);
    }
    assertEquals(0, slept, "one second's worth passes at once");
    throttle.acquire(100);
    assertEquals(SECOND / 10, slept, "the next units wait for the rate");
  }

  @Test
  void aChangedSettingTakesEffectOnTheNextAcquire() throws InterruptedException {
    throttle.acquire(1_000); // spends the burst
    long start = now.get();
    for (int i = 0; i < 10; i++) {
      throttle.acquire(1_000);
    }
    assertEquals(10 * SECOND, now.get() - start);
    rate.set(10_000);
    start = now.get();
    for (int i = 0; i < 10; i++) {
      throttle.acquire(1_000);
    }
    assertEquals(SECOND, now.get() - start, "ten times the rate, a tenth of the time");
  }

  @Test
  void zeroMeansUnlimited() throws InterruptedException {
    rate.set(0);
    for (int i = 0; i < 1_000; i++) {
      throttle.acquire(1L << 30);
    }
    assertEquals(0, slept);
    rate.set(1_000);
    throttle.acquire(1_000);
    throttle.acquire(1_000);
    assertEquals(2 * SECOND, slept, "limited again once the setting is (no idle time, no burst)");
  }
}
