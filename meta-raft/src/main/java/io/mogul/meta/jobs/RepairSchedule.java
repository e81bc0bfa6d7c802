package io.mogul.meta.jobs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which re-replication visits the fids, most endangered first across the
 * whole table. The fids are scanned a bounded window per round; a pass over the table has
 * two sweeps: the urgent sweep takes only fids with at most {@link #URGENT_COPIES} counted
 * copies, the full sweep then takes the rest. So a file with one copy left in the last
 * window is repaired before a file with two copies in the first, while a round still holds
 * no more than one window's candidates and repairs at most {@code limit} fids of them.
 * Within a window, fids are taken fewest counted copies first, then by ascending fid.
 * A window with more work than {@code limit} is scanned again the next round (the repaired
 * fids have left it) before the cursor moves on; when a rescan would take exactly the fids
 * it took before (they could not be repaired, e.g. no copy left to copy from), the cursor
 * moves on regardless, so such fids never hold up the rest of the table.
 *
 * <p>When something that makes new work happens mid-pass (a device's copies lose worth),
 * the caller {@link #restart restarts} the pass so that newly endangered files go first.
 */
final class RepairSchedule {
  /** A fid that needs work and how many of its copies still count. */
  record Candidate(long fid, int urgency) {}

  /** What one window yields: the fids to repair now, in order, and whether the pass just ended. */
  record Take(List<Long> fids, boolean passEnded, boolean passFoundWork) {}

  /** Files with this many counted copies or fewer are taken in the urgent sweep. */
  static final int URGENT_COPIES = 1;

  private final int limit;
  private long cursor;
  private boolean urgentSweep = true;
  private boolean passFoundWork;
  /** The fids taken from a window that is to be scanned again. */
  private List<Long> takenBeforeRescan = List.of();

  RepairSchedule(int limit) {
    this.limit = limit;
  }

  /** The fid after which the next window starts. */
  long cursor() {
    return cursor;
  }

  /** Whether the next window is the first of a pass. */
  boolean atPassStart() {
    return cursor == 0 && urgentSweep;
  }

  /** Starts a new pass at the first fid, with the urgent sweep. */
  void restart() {
    cursor = 0;
    urgentSweep = true;
    passFoundWork = false;
    takenBeforeRescan = List.of();
  }

  /**
   * Takes the work of one scanned window: {@code candidates} are the fids in it that need
   * work, {@code lastScanned} the highest fid read, {@code reachedEnd} whether the window
   * ended at the end of the table.
   */
  Take take(List<Candidate> candidates, long lastScanned, boolean reachedEnd) {
    if (atPassStart()) {
      passFoundWork = false;
    }
    passFoundWork |= !candidates.isEmpty();
    List<Candidate> due = new ArrayList<>();
    for (Candidate c : candidates) {
      if (!urgentSweep || c.urgency() <= URGENT_COPIES) {
        due.add(c);
      }
    }
    due.sort(Comparator.comparingInt(Candidate::urgency).thenComparingLong(Candidate::fid));
    boolean passEnded = false;
    boolean foundWork = passFoundWork;
    List<Long> fids = due.subList(0, Math.min(limit, due.size())).stream().map(Candidate::fid).toList();
    boolean stuck = due.size() > limit && fids.equals(takenBeforeRescan);
    takenBeforeRescan = due.size() > limit && !stuck ? fids : List.of();
    if (due.size() <= limit || stuck) {
      if (!reachedEnd) {
        cursor = lastScanned;
      } else if (urgentSweep && passFoundWork) {
        cursor = 0;
        urgentSweep = false;
      } else {
        // The full sweep is done, or the urgent sweep found nothing at all to do.
        restart();
        passEnded = true;
      }
    }
    return new Take(fids, passEnded, foundWork);
  }
}
