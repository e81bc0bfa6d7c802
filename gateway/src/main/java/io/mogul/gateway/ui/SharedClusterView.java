package io.mogul.gateway.ui;

import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A {@link ClusterView} whose answers are reused for a short time, so that every open
 * dashboard page (each polling every refresh interval) shares one cluster call per answer
 * and interval instead of making its own. A failed call is reused the same way: a
 * struggling cluster is not asked again by every page.
 */
public final class SharedClusterView implements ClusterView {
  private final Shared<ClusterCheck> check;
  private final Shared<ListDomainsResponse> domains;
  private final Shared<ClusterStats> stats;
  private final Shared<FsckStatus> fsck;

  /**
   * @param maxAgeNanos how long an answer is reused
   * @param nanoClock   monotonic time in nanoseconds
   */
  public SharedClusterView(ClusterView view, long maxAgeNanos, LongSupplier nanoClock) {
    this.check = new Shared<>(view::check, maxAgeNanos, nanoClock);
    this.domains = new Shared<>(view::domains, maxAgeNanos, nanoClock);
    this.stats = new Shared<>(view::stats, maxAgeNanos, nanoClock);
    this.fsck = new Shared<>(view::fsck, maxAgeNanos, nanoClock);
  }

  @Override
  public ClusterCheck check() {
    return check.get();
  }

  @Override
  public ListDomainsResponse domains() {
    return domains.get();
  }

  @Override
  public ClusterStats stats() {
    return stats.get();
  }

  @Override
  public FsckStatus fsck() {
    return fsck.get();
  }

  /** One answer: callers arriving while it is being fetched wait for it rather than fetch again. */
  private static final class Shared<T> {
    private final Supplier<T> call;
    private final long maxAgeNanos;
    private final LongSupplier clock;
    private T value;
    private RuntimeException failure;
    private long fetchedAtNanos;
    private boolean fetched;

    Shared(Supplier<T> call, long maxAgeNanos, LongSupplier clock) {
      this.call = call;
      this.maxAgeNanos = maxAgeNanos;
      this.clock = clock;
    }

    synchronized T get() {
      if (!fetched || clock.getAsLong() - fetchedAtNanos >= maxAgeNanos) {
        try {
          value = call.get();
          failure = null;
        } catch (RuntimeException e) {
          value = null;
          failure = e;
        }
        // Aged from the answer, not the question: a slow call is still reused a full interval.
        fetchedAtNanos = clock.getAsLong();
        fetched = true;
      }
      if (failure != null) {
        throw failure;
      }
      return value;
    }
  }
}
