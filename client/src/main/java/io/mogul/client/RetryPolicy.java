package io.mogul.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently the client retries a retriable failure (a tracker that is
 * not the leader or unavailable, a datanode that failed mid-write). Backoff grows
 * exponentially from {@link #initialBackoff()} to {@link #maxBackoff()} with full jitter
 * in the upper half, so many clients hitting the same failover do not retry in lockstep.
 *
 * <p>A call gives up at whichever comes first: {@link #maxAttempts()}, {@link #maxElapsed()}
 * since its first attempt, or the operation's deadline. The default rides over a tracker
 * leader election (a few seconds) with room to spare.
 *
 * @param maxAttempts attempts per call, the first one included (at least 1)
 * @param initialBackoff wait before the second attempt
 * @param maxBackoff longest wait between two attempts
 * @param maxElapsed longest time spent retrying one call
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxElapsed) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(200, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(30));

  /** A policy that never retries. */
  public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

  /** A policy giving up after {@code maxAttempts} or 30 seconds. */
  public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    this(maxAttempts, initialBackoff, maxBackoff, Duration.ofSeconds(30));
  }

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
    }
    if (maxElapsed.isNegative()) {
      throw new IllegalArgumentException("maxElapsed must not be negative");
    }
  }

  /** Milliseconds to wait after the given failed attempt (1-based). */
  public long backoffMillis(int failedAttempt) {
    long base = initialBackoff.toMillis();
    if (base == 0) {
      return 0;
    }
    int shift = Math.min(failedAttempt - 1, 20);
    long ceiling = Math.min(maxBackoff.toMillis(), base << shift);
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }
}
