package io.mogul.meta.jobs;

import io.mogul.meta.jobs.CopyStates.Copy;
import io.mogul.meta.request.RepairEpoch;
import io.mogul.meta.service.TrackerCore;
import io.mogul.meta.store.MetaView;
import io.mogul.proto.meta.ClassRecord;
import io.mogul.proto.meta.DeviceRecord;
import io.mogul.proto.meta.FidRecord;
import java.util.ArrayList;
import java.util.Comparator;
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
 * copies, and repairs them most endangered first (fewest counted copies) on a small
 * pool. The progress is the locations themselves, committed through Raft, so a new
 * leader simply continues from the state it finds.
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
  private long cursor;
  /** What could make work, as it was when the current pass started. */
  private Conditions passStart;
  private boolean passFoundWork;
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

  private record Work(long fid, int urgency) {}

  /** Everything whose change can create repair work. */
  private record Conditions(long epoch, Map<Integer, Copy> copies, Map<String, Integer> mindevcounts) {}

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
   * round's scan of at most {@link #SCAN_LIMIT} fids; 0 once a clean pass rests.
   */
  int lastRoundWork() {
    return lastRoundWork;
  }

  /** One round; true when it found work. */
  boolean round() throws InterruptedException {
    if (!settings.flag("replication.enabled")) {
      return false;
    }
    long start = cursor;
    List<Work> work = new ArrayList<>();
    int[] scanned = {0};
    long[] last = {start};
    boolean rest = core.read(view -> {
      Conditions now = conditions(view);
      if (resting != null) {
        if (resting.equals(now) && System.nanoTime() < restUntilNanos) {
          return true;
        }
        resting = null;
      }
      if (start == 0) {
        passStart = now;
        passFoundWork = false;
      }
      Map<String, Integer> min = now.mindevcounts();
      Map<Integer, Copy> judged = new HashMap<>(now.copies());
      IntFunction<Copy> copyOn = id -> judged.computeIfAbsent(id, d -> repair.states().of(view, d));
      for (FidRecord r : FidScan.after(view, start, SCAN_LIMIT)) {
        scanned[0]++;
        last[0] = r.getFid();
        Integer wanted = min.get(r.getDomain() + "\0" + r.getStorageClass());
        int urgency = wanted == null ? -1 : repair.urgency(copyOn, r, wanted);
        if (urgency >= 0) {
          work.add(new Work(r.getFid(), urgency));
        }
      }
      passFoundWork |= !work.isEmpty();
      if (scanned[0] < SCAN_LIMIT && !passFoundWork && passStart != null && passStart.equals(conditions(view))) {
        // A clean pass over every fid, and nothing changed while it ran.
        resting = passStart;
        restUntilNanos = System.nanoTime() + MAX_REST_NANOS;
      }
      return false;
    });
    if (rest) {
      return false;
    }
    lastRoundWork = work.size();
    work.sort(Comparator.comparingInt(Work::urgency).thenComparingLong(Work::fid));
    if (work.size() <= WORK_LIMIT) {
      boolean wrapped = scanned[0] < SCAN_LIMIT;
      cursor = wrapped ? 0 : last[0];
    }
    List<Future<?>> running = new ArrayList<>();
    for (Work w : work.subList(0, Math.min(WORK_LIMIT, work.size()))) {
      running.add(pool.submit(() -> {
        repair.repair(w.fid(), Set.of());
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
