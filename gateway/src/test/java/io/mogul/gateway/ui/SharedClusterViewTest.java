package io.mogul.gateway.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mogul.common.MogulException;
import io.mogul.proto.ClusterCheck;
import io.mogul.proto.ClusterStats;
import io.mogul.proto.ErrorReason;
import io.mogul.proto.FsckStatus;
import io.mogul.proto.ListDomainsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SharedClusterViewTest {
  private static final long MAX_AGE = TimeUnit.SECONDS.toNanos(2);
  private final AtomicLong clock = new AtomicLong(1_000);
  private final CountingView cluster = new CountingView();
  private final SharedClusterView view = new SharedClusterView(cluster, MAX_AGE, clock::get);

  /** Counts the calls per answer; stats can be made slow or failing. */
  private static final class CountingView implements ClusterView {
    final AtomicInteger checks = new AtomicInteger();
    final AtomicInteger stats = new AtomicInteger();
    final AtomicInteger fscks = new AtomicInteger();
    volatile CountDownLatch statsGate = new CountDownLatch(0);
    volatile boolean failStats;

    @Override
    public ClusterCheck check() {
      return ClusterCheck.newBuilder().setHealthy(checks.incrementAndGet() > 0).build();
    }

    @Override
    public ListDomainsResponse domains() {
      return ListDomainsResponse.getDefaultInstance();
    }

    @Override
    public ClusterStats stats() {
      int n = stats.incrementAndGet();
      try {
        statsGate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (failStats) {
        throw new MogulException(ErrorReason.UNAVAILABLE, "no leader");
      }
      return ClusterStats.newBuilder().setFileCount(n).build();
    }

    @Override
    public FsckStatus fsck() {
      return FsckStatus.newBuilder().setFidsChecked(fscks.incrementAndGet()).build();
    }
  }

  @Test
  void answersAreReusedUntilTheyAreOlderThanTheMaxAge() {
    assertEquals(1, view.stats().getFileCount());
    assertEquals(1, view.fsck().getFidsChecked());
    clock.addAndGet(MAX_AGE - 1);
    assertEquals(1, view.stats().getFileCount());
    assertEquals(1, view.fsck().getFidsChecked());
    assertEquals(1, cluster.stats.get());
    clock.addAndGet(1);
    assertEquals(2, view.stats().getFileCount());
    assertEquals(2, view.fsck().getFidsChecked());
    view.check();
    assertEquals(1, cluster.checks.get(), "each answer is fetched on its own");
  }

  @Test
  void pagesAskingAtOnceShareOneClusterCall() throws Exception {
    cluster.statsGate = new CountDownLatch(1);
    ExecutorService pages = Executors.newFixedThreadPool(8);
    try {
      List<Future<ClusterStats>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(pages.submit(view::stats));
      }
      while (cluster.stats.get() == 0) {
        Thread.onSpinWait();
      }
      cluster.statsGate.countDown();
      for (Future<ClusterStats> a : answers) {
        assertEquals(1, a.get().getFileCount());
      }
      assertEquals(1, cluster.stats.get());
    } finally {
      pages.shutdownNow();
    }
  }

  @Test
  void aFailureIsReusedLikeAnAnswerThenRetried() {
    cluster.failStats = true;
    assertThrows(MogulException.class, view::stats);
    assertThrows(MogulException.class, view::stats);
    assertEquals(1, cluster.stats.get());
    cluster.failStats = false;
    clock.addAndGet(MAX_AGE);
    assertEquals(2, view.stats().getFileCount());
  }
}
