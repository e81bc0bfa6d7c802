package io.mogul.meta.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Background job rounds run on the leader only, and a failing round does not end the job. */
@Timeout(10)
class LeaderRoundTest {
  @Test
  void aRoundRunsOnlyWhileTheTrackerLeads() {
    AtomicBoolean leads = new AtomicBoolean(false);
    AtomicInteger rounds = new AtomicInteger();
    LeaderRound round = new LeaderRound("test", leads::get, rounds::incrementAndGet);
    round.run();
    round.run();
    assertEquals(0, rounds.get(), "a follower does nothing");
    leads.set(true);
    round.run();
    assertEquals(1, rounds.get(), "the leader runs the round");
    leads.set(false);
    round.run();
    assertEquals(1, rounds.get(), "nothing once leadership is lost");
  }

  @Test
  void aFailingRoundDoesNotCancelTheScheduledJob() throws InterruptedException {
    AtomicInteger rounds = new AtomicInteger();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      ScheduledFuture<?> job = timer.scheduleWithFixedDelay(new LeaderRound("failing", () -> true, () -> {
        rounds.incrementAndGet();
        throw new IllegalStateException("a round that fails");
      }), 0, 1, TimeUnit.MILLISECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (rounds.get() < 3 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(rounds.get() >= 3, "rounds: " + rounds.get());
      assertTrue(!job.isDone(), "the job is still scheduled");
    } finally {
      timer.shutdownNow();
    }
  }
}
