package io.mogul.meta.jobs;

import io.mogul.meta.jobs.CopyStates.Copy;
import io.mogul.meta.request.RepairEpoch;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-replication, drain and trimming: each round scans a bounded window of fids, picks
 * those with too few counted copies, copies on dead or draining devices, or surplus
 * copies, and repairs them on a small pool in the order {@link RepairSchedule} gives: a
 * pass first sweeps the whole table for files with one copy or none left, then sweeps it
 * again for the rest, so the most endangered files go first across the whole table while
 * a round holds at most one window. The progress is the locations themselves, committed
 * through Raft, so a new leader simply continues from the state it finds: its first pass
 * starts at the first fid and finds the files already repaired healthy.
 *
 * <p>When a device's copies lose worth mid-pass (a device dies, is lost or starts
 * draining) or a class's mindevcount changes, the pass starts over so that the newly
 * endangered files go first.
 *
 * <p>A pass that went over every fid without finding work, during which nothing that could
 * make work changed, is followed by a rest instead of another pass: on a healthy cluster
 * the leader does not read every fid over and over. What could make work is the
 * replicated {@link RepairEpoch} plus what this leader sees: each device's copy worth and
 * each class's mindevcount. The rest ends as soon as one of them moves, and after
 * {@link #MAX_REST_NANOS} regardless.
 */
final class ReplicationJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationJob.class);
  static final int SCAN_LIMIT = 20_000;
  static final int WORK_LIMIT = 256;
  static final long MAX_REST_NANOS = 10 * 60 * 1_000_000_000L;

  private final TrackerCore core;
  private final JobSettings settings;
  private final FileRepair repair;
  private final ExecutorService pool;
  private final RepairSchedule schedule = new RepairSchedule(WORK_LIMIT);
  /** What could make work, as it was when the current pass started. */
  private Conditions passStart;
  /** Set while resting after a clean pass: the conditions the rest holds for. */
  private Conditions resting;
  private long restUntilNanos;
  /** Fids needing repair that the last round's scan found (see {@link #lastRoundWork}). */
  private volatile int lastRoundWork;

  ReplicationJob(TrackerCore core, JobSettings settings, FileRepair repair, ExecutorService pool) {
    this.core = core;
    this.settings = settings;
    this.repair = repair;
    this.pool = pool;
  }

  /** Everything whose change can create repair work. */
  private record Conditions(long epoch, Map<Integer, Copy> copies, Map<String, Integer> mindevcounts) {
    /** Whether devices and classes, leaving the epoch aside, are as they were. */
    boolean sameWorth(Conditions other) {
      return copies.equals(other.copies) && mindevcounts.equals(other.mindevcounts);
    }
  }

  private Conditions conditions(MetaView view) {
    Map<String, Integer> min = new HashMap<>();
    for (ClassRecord c : view.classes(null)) {
      min.put(c.getDomain() + "\0" + c.getName(), c.getMindevcount());
    }
    // A copy's worth depends only on its device: judge each device once per round.
    Map<Integer, Copy> copies = new HashMap<>();
    for (DeviceRecord d : view.devices()) {
      copies.put(d.getDeviceId(), repair.states().of(view, d.getDeviceId()));
    }
    return new Conditions(RepairEpoch.of(view), copies, min);
  }

  /**
   * Fids found needing repair (too few copies, copies to move off, surplus) in the last
   * round's scan window of at most {@link #SCAN_LIMIT} fids; 0 while a clean pass rests.
   */
  int lastRoundWork() {
    return lastRoundWork;
  }

  /** One round; true when it took fids to repair. */
  boolean round() throws InterruptedException {
    if (!settings.flag("replication.enabled")) {
      return false;
    }
    List<Long> work = new ArrayList<>();
    boolean rest = core.read(view -> {
      Conditions now = conditions(view);
      if (resting != null) {
        if (resting.equals(now) && System.nanoTime() < restUntilNanos) {
          lastRoundWork = 0;
          return true;
        }
        resting = null;
      }
      if (passStart != null && !schedule.atPassStart() && !passStart.sameWorth(now)) {
        // Files endangered by the change may lie behind the cursor: they go first.
        schedule.restart();
      }
      if (schedule.atPassStart()) {
        passStart = now;
      }
      Map<String, Integer> min = now.mindevcounts();
      Map<Integer, Copy> judged = new HashMap<>(now.copies());
      IntFunction<Copy> copyOn = id -> judged.computeIfAbsent(id, d -> repair.states().of(view, d));
      List<RepairSchedule.Candidate> candidates = new ArrayList<>();
      List<FidRecord> window = FidScan.after(view, schedule.cursor(), SCAN_LIMIT);
      for (FidRecord r : window) {
        Integer wanted = min.get(r.getDomain() + "\0" + r.getStorageClass());
        int urgency = wanted == null ? -1 : FileRepair.urgency(copyOn, r, wanted);
        if (urgency >= 0) {
          candidates.add(new RepairSchedule.Candidate(r.getFid(), urgency));
        }
      }
      lastRoundWork = candidates.size();
      long last = window.isEmpty() ? schedule.cursor() : window.get(window.size() - 1).getFid();
      RepairSchedule.Take take = schedule.take(candidates, last, window.size() < SCAN_LIMIT);
      work.addAll(take.fids());
      if (take.passEnded() && !take.passFoundWork() && passStart.equals(conditions(view))) {
        // A clean pass over every fid, and nothing changed while it ran.
        resting = passStart;
        restUntilNanos = System.nanoTime() + MAX_REST_NANOS;
      }
      return false;
    });
    if (rest) {
      return false;
    }
    List<Future<?>> running = new ArrayList<>();
    for (long fid : work) {
      running.add(pool.submit(() -> {
        repair.repair(fid, Set.of());
        return null;
      }));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        LOG.warn("repairing a fid failed", e.getCause());
      }
    }
    return !work.isEmpty();
  }
}
