package io.mogul.meta.jobs;

import io.mogul.meta.jobs.CopyStates.Copy;
import io.mogul.meta.service.TrackerCore;
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
 * <p>Whether a file needs work depends only on its class and on the worth of the devices
 * holding it (new files are committed with all their copies). So after a whole pass that
 * found nothing, the job rests until a device's worth or a class changes, or until
 * {@link #FULL_PASS_INTERVAL_NANOS} passed, instead of rescanning every fid all the time.
 */
final class ReplicationJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationJob.class);
  static final int SCAN_LIMIT = 20_000;
  static final int WORK_LIMIT = 256;
  static final long FULL_PASS_INTERVAL_NANOS = 10L * 60 * 1_000_000_000L;

  private final TrackerCore core;
  private final JobSettings settings;
  private final FileRepair repair;
  private final ExecutorService pool;
  private long cursor;
  /** What the devices and classes looked like when the current pass started. */
  private Fingerprint passStart;
  private boolean passFoundWork;
  /** The fingerprint of the last pass that found nothing to do, and when it ended. */
  private Fingerprint clean;
  private long cleanAtNanos;

  ReplicationJob(TrackerCore core, JobSettings settings, FileRepair repair, ExecutorService pool) {
    this.core = core;
    this.settings = settings;
    this.repair = repair;
    this.pool = pool;
  }

  private record Work(long fid, int urgency) {}

  /** Everything a file's need for repair depends on besides its own locations. */
  private record Fingerprint(Map<Integer, Copy> devices, Map<String, String> classes) {}

  private Fingerprint fingerprint() {
    return core.read(view -> {
      Map<Integer, Copy> devices = new HashMap<>();
      for (DeviceRecord d : view.devices()) {
        devices.put(d.getDeviceId(), repair.states().of(view, d.getDeviceId()));
      }
      Map<String, String> classes = new HashMap<>();
      for (ClassRecord c : view.classes(null)) {
        classes.put(c.getDomain() + "\0" + c.getName(), c.getMindevcount() + "/" + c.getPolicy());
      }
      return new Fingerprint(devices, classes);
    });
  }

  /** One round; true when it found work. */
  boolean round() throws InterruptedException {
    if (!settings.flag("replication.enabled")) {
      return false;
    }
    long start = cursor;
    if (start == 0) {
      Fingerprint now = fingerprint();
      if (now.equals(clean) && System.nanoTime() - cleanAtNanos < FULL_PASS_INTERVAL_NANOS) {
        return false;
      }
      passStart = now;
      passFoundWork = false;
    }
    List<Work> work = new ArrayList<>();
    int[] scanned = {0};
    long[] last = {start};
    core.read(view -> {
      Map<String, Integer> min = new HashMap<>();
      for (ClassRecord c : view.classes(null)) {
        min.put(c.getDomain() + "\0" + c.getName(), c.getMindevcount());
      }
      // A copy's worth depends only on its device: judge each device once per round.
      Map<Integer, Copy> copies = new HashMap<>();
      IntFunction<Copy> copyOn = id -> copies.computeIfAbsent(id, d -> repair.states().of(view, d));
      for (FidRecord r : FidScan.after(view, start, SCAN_LIMIT)) {
        scanned[0]++;
        last[0] = r.getFid();
        Integer wanted = min.get(r.getDomain() + "\0" + r.getStorageClass());
        int urgency = wanted == null ? -1 : repair.urgency(copyOn, r, wanted);
        if (urgency >= 0) {
          work.add(new Work(r.getFid(), urgency));
        }
      }
      return null;
    });
    work.sort(Comparator.comparingInt(Work::urgency).thenComparingLong(Work::fid));
    passFoundWork |= !work.isEmpty();
    if (work.size() <= WORK_LIMIT) {
      boolean wrapped = scanned[0] < SCAN_LIMIT;
      cursor = wrapped ? 0 : last[0];
      if (wrapped && !passFoundWork) {
        clean = passStart;
        cleanAtNanos = System.nanoTime();
      }
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
