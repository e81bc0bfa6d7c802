package io.mogul.meta.jobs;

import io.mogul.meta.store.MetaView;
import io.mogul.proto.meta.FidRecord;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes Mogul stores on each device: the sum of the lengths of the live fids located
 * there. The count walks the fid table a bounded page per call, so a round stays bounded
 * however many files there are; a finished count is published and the next one begins.
 * Moves the caller commits are applied to the published totals and to the count under
 * way at once, so the next plan sees them; files written or deleted by clients show from
 * the next finished count.
 *
 * <p>Why not the usage the datanodes report: that is the file system's, which includes
 * other data, is the same for devices sharing a file system, and shows a moved-away copy
 * only once its volume is compacted, so steering by it overshoots.
 *
 * <p>Confined to the rebalance job's thread.
 */
final class DeviceBytesCensus {
  private Map<Integer, Long> published;
  private final Map<Integer, Long> counting = new HashMap<>();
  /** The last fid counted by the count under way; 0 before its first page. */
  private long cursor;

  /**
   * Counts the next page of at most {@code pageSize} fids and returns the totals of the
   * latest finished count (device id to bytes; absent devices hold nothing), or null while
   * the first count is still under way.
   */
  Map<Integer, Long> advance(MetaView view, int pageSize) {
    List<FidRecord> page = FidScan.after(view, cursor, pageSize);
    for (FidRecord r : page) {
      for (int id : r.getDeviceIdsList()) {
        counting.merge(id, r.getLength(), Long::sum);
      }
    }
    if (page.size() < pageSize) {
      published = new HashMap<>(counting);
      counting.clear();
      cursor = 0;
    } else {
      cursor = page.get(page.size() - 1).getFid();
    }
    return published == null ? null : Collections.unmodifiableMap(published);
  }

  /** A committed move of the fid's copy: its length now counts on {@code to} instead of {@code from}. */
  void moved(long fid, long length, int from, int to) {
    if (published != null) {
      shift(published, length, from, to);
    }
    if (cursor != 0 && Long.compareUnsigned(fid, cursor) <= 0) {
      shift(counting, length, from, to);
    }
  }

  private static void shift(Map<Integer, Long> totals, long length, int from, int to) {
    // Never below zero: the count may have missed a file a client wrote behind its cursor.
    totals.put(from, Math.max(0, totals.getOrDefault(from, 0L) - length));
    totals.merge(to, length, Long::sum);
  }

  /** Forgets everything: the next call starts a new count (after a pause in which others may have moved files). */
  void reset() {
    published = null;
    counting.clear();
    cursor = 0;
  }
}
