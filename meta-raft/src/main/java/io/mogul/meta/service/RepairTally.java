package io.mogul.meta.service;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What this tracker's re-replication (with drain and fsck repairs) did while it led, since
 * the tracker started: copies made and surplus copies removed, each counted once its
 * location change was committed. Kept in memory per tracker and reported in its status;
 * summed over the trackers it tells how much copying the cluster did, so work done twice
 * (a new leader copying what the old one already had) shows.
 */
public final class RepairTally {
  private final AtomicLong copiesMade = new AtomicLong();
  private final AtomicLong surplusRemoved = new AtomicLong();

  public void copyMade() {
    copiesMade.incrementAndGet();
  }

  public void surplusRemoved() {
    surplusRemoved.incrementAndGet();
  }

  public long copiesMade() {
    return copiesMade.get();
  }

  public long surplusCopiesRemoved() {
    return surplusRemoved.get();
  }
}
