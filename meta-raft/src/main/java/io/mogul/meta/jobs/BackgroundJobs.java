package io.mogul.meta.jobs;

import io.mogul.meta.service.TrackerCore;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The leader's background jobs: re-replication (with drain and trimming), delete GC with
 * orphan collection, fsck and rebalance. Every tracker runs the timers; a round does
 * anything only while this tracker leads. Each job has its own thread (copies use a small
 * pool) and does bounded work per round, and its proposals go through the same batching
 * as client commands, so client traffic is never held up behind them. All progress lives
 * in the replicated state, so a new leader continues where the old one stopped.
 */
public final class BackgroundJobs implements AutoCloseable {
  /** Pause between two rounds of one job. */
  static final long ROUND_DELAY_MS = 300;
  static final int COPY_THREADS = 4;

  private final TrackerCore core;
  private final DatanodeClients clients = new DatanodeClients();
  private final ScheduledExecutorService timers;
  private final ExecutorService copies;
  private final ReplicationJob replication;

  public BackgroundJobs(TrackerCore core) {
    this.core = core;
    String id = core.config().id;
    this.timers = Executors.newScheduledThreadPool(4, threads("jobs-" + id));
    this.copies = Executors.newFixedThreadPool(COPY_THREADS, threads("copies-" + id));
    JobSettings settings = new JobSettings(core);
    CopyStates states = new CopyStates(core.observations(),
        () -> settings.number("replication.unreachable_grace_seconds") * 1000);
    FileRepair repair = new FileRepair(core, clients, states,
        new Throttle(() -> settings.number("replication.max_bytes_per_second")));
    this.replication = new ReplicationJob(core, settings, repair, copies);
    DeletionJob deletion = new DeletionJob(core, settings, clients, repair);
    FsckJob fsck = new FsckJob(core, settings, clients, repair);
    RebalanceJob rebalance = new RebalanceJob(core, settings, repair);
    schedule("replication", replication::round);
    schedule("deletion", deletion::round);
    schedule("fsck", fsck::round);
    schedule("rebalance", rebalance::round);
  }

  /**
   * Files awaiting re-replication as this tracker's replication job last saw them: those
   * needing repair in its last round's scan window, a cheap figure that needs no scan of
   * its own. Meaningful on the leader; a tracker that never led reports 0.
   */
  public int replicationBacklog() {
    return replication.lastRoundWork();
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private void schedule(String name, LeaderRound.Round round) {
    timers.scheduleWithFixedDelay(new LeaderRound(name, () -> core.raft().isLeader(), round),
        ROUND_DELAY_MS, ROUND_DELAY_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timers.shutdownNow();
    copies.shutdownNow();
    try {
      timers.awaitTermination(5, TimeUnit.SECONDS);
      copies.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clients.close();
  }
}
